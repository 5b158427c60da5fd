using System.CommandLine;
using System.Globalization;
using CloudMining.Farm.Agent.Channels;
using CloudMining.Farm.Agent.Configuration;
using CloudMining.Farm.Agent.Power;
using CloudMining.Farm.Agent.Hosting;
using CloudMining.Farm.Shared.Firmware;
using CloudMining.Farm.Shared.Firmware.Channels;
using CloudMining.Farm.Shared.MinerApi;

namespace CloudMining.Farm.Agent.Cli;

/// <summary>
/// `farm-agent miner ID led on|off | reboot | sleep | wake | pools`: one miner by hand at the rack, through the same
/// write channel and login the agent uses (no service needed). State-changing verbs ask first unless --yes.
/// </summary>
internal static class MinerCommand
{
    public const int ExitOk = 0;
    public const int ExitFailed = 1;
    public const int ExitUsage = 2;
    public const int ExitNotOffered = 3;

    private const string Name = "farm-agent miner";

    private static readonly (string Verb, MinerOperation Operation)[] Verbs =
    [
        ("led on", MinerOperation.LocateOn),
        ("led off", MinerOperation.LocateOff),
        ("reboot", MinerOperation.Reboot),
        ("sleep", MinerOperation.Pause),
        ("wake", MinerOperation.Resume),
    ];

    public static Command Create(RelayDriverFactory relayChips)
    {
        var config = RunCommand.ConfigOption();
        var yes = new Option<bool>("--yes") { Description = "Do not ask before reboot, sleep or wake (scripts). Without it, a non-interactive stdin is refused." };
        var id = new Argument<string>("ID") { Description = "The miner's id as in Agent:Miners, e.g. A01-07." };
        var verb = new Argument<string>("ACTION") { Description = "led, reboot, sleep, wake or pools." };
        var state = new Argument<string?>("STATE") { Description = "For led: on or off.", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("miner", "One miner by hand: 'led on|off' (find it in the rack), 'pools' (read-only), 'reboot', 'sleep', 'wake' (ask first unless --yes). Works without the service.")
        {
            config, yes, id, verb, state,
        };
        command.SetAction((parse, ct) => ExecuteAsync(
            parse.GetValue(config) ?? AgentOptions.DefaultConfigPath,
            parse.GetValue(id) ?? string.Empty,
            parse.GetValue(verb) ?? string.Empty,
            parse.GetValue(state),
            parse.GetValue(yes),
            Console.In,
            !Console.IsInputRedirected,
            Console.Out,
            Console.Error,
            ct,
            relayChips));
        return command;
    }

    /// <summary>
    /// 0 done; 1 declined, or the miner or its channel failed (the typed error and its fix are printed); 2 usage
    /// (unknown miner or action, no confirmation possible); 3 the miner's firmware profile offers no route for the
    /// action; 78 a bad config.
    /// </summary>
    public static async Task<int> ExecuteAsync(
        string configPath,
        string minerId,
        string verb,
        string? state,
        bool yes,
        TextReader input,
        bool inputIsTerminal,
        TextWriter output,
        TextWriter error,
        CancellationToken cancellationToken,
        RelayDriverFactory? relayChips = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        if (await CheckedConfig.LoadAsync(configPath, Name, "nothing was sent to any miner", error, relayChips) is not { } options)
        {
            return RunCommand.ConfigErrorExitCode;
        }

        MinerOptions? miner = options.Miners.FirstOrDefault(m => string.Equals(m.Id, minerId.Trim(), StringComparison.OrdinalIgnoreCase));
        if (miner is null)
        {
            string known = options.Miners.Count == 0 ? "none: Agent:Miners is empty" : string.Join(", ", options.Miners.Select(m => m.Id));
            await error.WriteLineAsync($"{Name}: no miner '{minerId}' in Agent:Miners (known: {known}). Nothing was sent.");
            return ExitUsage;
        }

        string action = (verb.Trim() + (state is null ? string.Empty : " " + state.Trim())).ToLowerInvariant();
        bool readPools = action == "pools";
        MinerOperation? operation = Verbs.Where(v => v.Verb == action).Select(v => (MinerOperation?)v.Operation).FirstOrDefault();
        if (!readPools && operation is null)
        {
            await error.WriteLineAsync($"{Name}: unknown action '{action}'; use one of: {string.Join(", ", Verbs.Select(v => v.Verb))}, pools. Nothing was sent.");
            return ExitUsage;
        }

        MinerReader reader;
        FirmwareProfileCatalog catalog;
        try
        {
            reader = MinerReaderFactory.Create(options);
            catalog = FirmwareProfileCatalog.Load(FirmwareProfileLocator.Resolve(options.ProfilesDirectory));
        }
        catch (Exception e) when (e is AgentConfigurationException or FirmwareProfileException)
        {
            await error.WriteLineAsync($"{Name}: {e.Message}");
            return RunCommand.ConfigErrorExitCode;
        }

        var channels = MinerChannels.Create(options);
        string profileName = miner.Profile;
        MinerReadResult? read = null;
        if (readPools || string.Equals(profileName, FirmwareProfileCatalog.Auto, StringComparison.OrdinalIgnoreCase))
        {
            read = await reader.ReadAsync(miner.Endpoint, profileName, cancellationToken);
            if (!read.IsSuccess)
            {
                await error.WriteLineAsync(Scrub($"{Name}: cannot read {miner.Id} at {miner.Endpoint}: {read.Error.Message}. Check it is powered and reachable (`farm-agent status`). Nothing was sent.", channels));
                return ExitFailed;
            }

            profileName = read.Snapshot.Identity.Profile;
        }

        if (readPools)
        {
            await WritePoolsAsync(output, miner.Id, profileName, read!.Snapshot!);
            return ExitOk;
        }

        if (!catalog.TryGet(profileName, out FirmwareProfile profile))
        {
            await error.WriteLineAsync($"{Name}: miner {miner.Id} uses firmware profile '{profileName}', which is not in {catalog.Directory}. Nothing was sent.");
            return ExitNotOffered;
        }

        MinerOperation op = operation!.Value;
        if (channels.Writer.ChannelFor(profile, op) is null)
        {
            string[] possible = Verbs.Where(v => channels.Writer.ChannelFor(profile, v.Operation) is not null).Select(v => v.Verb).Append("pools").ToArray();
            await error.WriteLineAsync(
                $"{Name}: miner {miner.Id} (firmware profile '{profile.Name}') offers no '{action}': the profile routes {WriteChannelNames.Of(op)} to no write channel this agent speaks. " +
                $"Possible for {miner.Id}: {string.Join(", ", possible)}. Nothing was sent.");
            return ExitNotOffered;
        }

        ChannelTarget target = channels.Target(miner.Id, null, profile);
        if (op is MinerOperation.Reboot or MinerOperation.Pause or MinerOperation.Resume)
        {
            await output.WriteLineAsync($"Miner {miner.Id} at {miner.Endpoint} (firmware profile '{profile.Name}'): {Describe(op)}.");
            if (!yes)
            {
                if (!inputIsTerminal)
                {
                    await error.WriteLineAsync($"{Name}: stdin is not a terminal, so there is nobody to confirm; refusing to {action} {miner.Id}. Run it at a terminal, or add --yes if you really mean it.");
                    return ExitUsage;
                }

                await output.WriteAsync($"{char.ToUpperInvariant(action[0])}{action[1..]} {miner.Id} now? [y/N] ");
                string? answer = await input.ReadLineAsync(cancellationToken);
                if (answer?.Trim().ToUpperInvariant() is not ("Y" or "YES"))
                {
                    await output.WriteLineAsync("Nothing was sent.");
                    return ExitFailed;
                }
            }
        }

        ChannelResult result = await channels.Writer.RunAsync(target, op, cancellationToken);
        if (result.Succeeded)
        {
            await output.WriteLineAsync(Scrub($"Done: {action} on {miner.Id} through {result.Channel} ({result.RequestsSent.ToString(CultureInfo.InvariantCulture)} request(s)).", channels));
            return ExitOk;
        }

        ChannelError failure = result.Error ?? new ChannelError(ChannelErrorKind.NotSupported, miner.Id, result.Channel, "failed", "see the agent log");
        await error.WriteLineAsync(Scrub($"{Name}: {action} on {miner.Id} failed through {failure.Channel}: {failure.Message}.", channels));
        await error.WriteLineAsync(Scrub($"  Fix: {failure.Fix}.", channels));
        return result.Outcome == ActionOutcome.NotSupported ? ExitNotOffered : ExitFailed;
    }

    private static string Describe(MinerOperation op) => op switch
    {
        MinerOperation.Reboot => "it will reboot and stop hashing for a few minutes",
        MinerOperation.Pause => "it will stop hashing (sleep) and stay reachable until woken with 'wake'",
        _ => "it will start hashing again (wake)",
    };

    private static async Task WritePoolsAsync(TextWriter output, string minerId, string profile, Shared.Snapshots.MinerSnapshot snapshot)
    {
        await output.WriteLineAsync($"Miner {minerId} (firmware profile '{profile}'): {snapshot.Pools.Count.ToString(CultureInfo.InvariantCulture)} pool(s), read through its API (nothing was changed).");
        await output.WriteLineAsync($"  {"#",-3} {"PRIO",-4} {"STATUS",-8} {"ACTIVE",-6} {"ACCEPTED",9}  URL  USER");
        foreach (var p in snapshot.Pools.OrderBy(p => p.Priority ?? p.Index))
        {
            string prio = p.Priority?.ToString(CultureInfo.InvariantCulture) ?? "-";
            string active = p.Active switch { true => "yes", false => "no", null => "-" };
            await output.WriteLineAsync($"  {p.Index,-3} {prio,-4} {p.Status ?? "-",-8} {active,-6} {p.Accepted,9}  {p.Url}  {p.User ?? "-"}");
        }
    }

    private static string Scrub(string text, MinerChannels channels)
    {
        foreach (string secret in channels.Credentials.Secrets.Where(s => s.Length > 1))
        {
            text = text.Replace(secret, "***", StringComparison.Ordinal);
        }

        return text;
    }
}
