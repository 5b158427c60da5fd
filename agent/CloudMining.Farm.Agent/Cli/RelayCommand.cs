using System.CommandLine;
using System.Device.Gpio;
using System.Globalization;
using CloudMining.Farm.Agent.Configuration;
using CloudMining.Farm.Agent.Events;
using CloudMining.Farm.Agent.Power;
using Microsoft.Extensions.Logging.Abstractions;

namespace CloudMining.Farm.Agent.Cli;

/// <summary>`farm-agent relay test OUTLET`: power-cycles one outlet by hand, after saying what it feeds and asking for confirmation.</summary>
internal static class RelayCommand
{
    public const int ExitOk = 0;
    public const int ExitFailed = 1;
    public const int ExitUsage = 2;

    public static Command Create(RelayDriverFactory relayChips)
    {
        var config = RunCommand.ConfigOption();
        var yes = new Option<bool>("--yes") { Description = "Do not ask for confirmation (scripts). Without it, a non-interactive stdin is refused." };
        var outlet = new Argument<string>("OUTLET") { Description = "The outlet label as in Agent:Hardware:Relays, e.g. PDU-A/7." };
        var test = new Command("test", "Power-cycle one outlet: OFF for Agent:Power:MinOffTime, then back ON. Asks first unless --yes.")
        {
            config, yes, outlet,
        };
        test.SetAction((parse, ct) => ExecuteAsync(
            parse.GetValue(config) ?? AgentOptions.DefaultConfigPath,
            parse.GetValue(outlet) ?? string.Empty,
            parse.GetValue(yes),
            Console.In,
            !Console.IsInputRedirected,
            Console.Out,
            Console.Error,
            TimeProvider.System,
            relayChips.Create,
            ct,
            relayChips));
        return new Command("relay", "Relay board tools for the technician.") { test };
    }

    /// <summary>0 after a cycle, 1 when declined or the relay failed, 2 for a usage problem (unknown outlet, no confirmation possible), 78 for a bad config.</summary>
    public static async Task<int> ExecuteAsync(
        string configPath,
        string outletLabel,
        bool yes,
        TextReader input,
        bool inputIsTerminal,
        TextWriter output,
        TextWriter error,
        TimeProvider time,
        Func<AgentOptions, GpioDriver> createDriver,
        CancellationToken cancellationToken,
        RelayDriverFactory? relayChips = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        ArgumentNullException.ThrowIfNull(createDriver);
        if (await CheckedConfig.LoadAsync(configPath, "farm-agent relay test", "nothing was switched", error, relayChips) is not { } options)
        {
            return RunCommand.ConfigErrorExitCode;
        }

        RelayOptions? relay = options.Hardware.Relays.FirstOrDefault(r => string.Equals(r.Outlet.Trim(), outletLabel.Trim(), StringComparison.OrdinalIgnoreCase));
        if (relay is null)
        {
            string known = options.Hardware.Relays.Count == 0 ? "none: Agent:Hardware:Relays is empty" : string.Join(", ", options.Hardware.Relays.Select(r => r.Outlet));
            await error.WriteLineAsync($"farm-agent relay test: no outlet '{outletLabel}' in Agent:Hardware:Relays (known: {known}). Nothing was switched.");
            return ExitUsage;
        }

        MinerOptions miner = options.Miners.First(m => string.Equals(m.Id, relay.Miner, StringComparison.OrdinalIgnoreCase));
        string seconds = options.Power.MinOffTime.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture);
        await output.WriteLineAsync($"{relay.Outlet} (GPIO line {relay.Line} on {options.Hardware.GpioChip}) feeds miner {miner.Id} at {miner.Address}: it will be powered OFF for {seconds} s and back ON.");
        if (!yes)
        {
            if (!inputIsTerminal)
            {
                await error.WriteLineAsync($"farm-agent relay test: stdin is not a terminal, so there is nobody to confirm; refusing to switch {relay.Outlet}. Run it at a terminal, or add --yes if you really mean it.");
                return ExitUsage;
            }

            await output.WriteAsync($"Power-cycle {relay.Outlet} now? [y/N] ");
            string? answer = await input.ReadLineAsync(cancellationToken);
            if (answer?.Trim().ToUpperInvariant() is not ("Y" or "YES"))
            {
                await output.WriteLineAsync("Nothing was switched.");
                return ExitFailed;
            }
        }

        GpioDriver driver;
        try
        {
            driver = createDriver(options);
        }
        catch (AgentConfigurationException e)
        {
            await error.WriteLineAsync($"farm-agent relay test: {e.Message}");
            return RunCommand.ConfigErrorExitCode;
        }

        var events = new RackEventBus(NullLogger<RackEventBus>.Instance);
        events.Raised += (_, e) => output.WriteLine($"  {time.GetLocalNow():HH:mm:ss} {e.Action}: {e.Detail}");
        using var relays = new RelayController(driver, [relay], options.Power, events, time, NullLogger<RelayController>.Instance, options.StateDirectory);
        try
        {
            if (relays.Open().Count > 0)
            {
                await output.WriteLineAsync($"{relay.Outlet} is OFF now; it will only be switched ON, after the minimum off time.");
            }

            DateTimeOffset started = time.GetUtcNow();
            await relays.PowerCycleAsync(relay.Miner, "relay test by a technician", cancellationToken);
            TimeSpan took = time.GetUtcNow() - started;
            await output.WriteLineAsync($"Done: {relay.Outlet} was cycled in {took.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture)} s and is ON. Check that {miner.Id} boots (its fans spin up, `farm-agent status` shows it within a few minutes).");
            return ExitOk;
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentOutOfRangeException or IOException)
        {
            await error.WriteLineAsync(
                $"farm-agent relay test: could not switch {relay.Outlet} (line {relay.Line}): {e.Message} " +
                "If the agent service is running it holds the relay lines: stop it first (`systemctl stop farm-agent`), since two programs must never drive one relay.");
            return ExitFailed;
        }
    }
}
