using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using CloudMining.Farm.Shared.Firmware;
using CloudMining.Farm.Shared.MinerApi;
using CloudMining.Farm.Shared.Snapshots;
using Spectre.Console;

namespace CloudMining.Farm.Agent.Cli;

/// <summary>The `farm-agent decode` command: decodes one miner's captured API replies through a firmware profile, to check a new firmware's capture.</summary>
internal static class DecodeCommand
{
    public const int ExitOk = 0;
    public const int ExitDecodeError = 1;
    public const int ExitUsage = 2;
    public const int ExitProfiles = 3;
    public const int ExitInternal = 70;

    /// <summary>cgminer command names: a file named from several of them joined by '_' is a multi-command reply.</summary>
    private static readonly HashSet<string> KnownCommands = new(StringComparer.OrdinalIgnoreCase)
    {
        "version", "config", "summary", "pools", "devs", "edevs", "stats", "estats", "devdetails", "temps", "fans",
        "coin", "lcd", "notify", "asc", "pga", "gpu", "asccount", "pgacount", "gpucount", "check", "tunerstatus",
        "groups", "pool", "privileged", "usbstats", "hotplug", "debug", "get_version", "status",
    };

    public static Command Create()
    {
        var firmware = new Option<string>("--firmware") { Description = "Firmware profile name, or 'auto' to detect it from the replies.", DefaultValueFactory = _ => FirmwareProfileCatalog.Auto };
        var json = new Option<bool>("--json") { Description = "Print the snapshot as JSON (hashrates in H/s) instead of tables." };
        var profiles = new Option<string?>("--profiles") { Description = "Directory of firmware profiles (default: $FARM_PROFILES, else firmware-profiles/ beside the program)." };
        var files = new Argument<string[]>("FILE") { Description = "Captured replies of ONE miner, one file per command, named after it: summary.json, pools.json, pools_summary_stats.json (multi-command), stats_param.json (with parameter), pools.txt (plain-text form).", Arity = ArgumentArity.OneOrMore };
        var command = new Command("decode", "Decode one miner's captured API replies into a snapshot, to check a firmware's capture against its profile.")
        {
            firmware, json, profiles, files,
        };
        command.SetAction(parse => Run(parse.GetValue(files) ?? [], parse.GetValue(firmware) ?? FirmwareProfileCatalog.Auto, parse.GetValue(json), parse.GetValue(profiles), Console.Out, Console.Error));
        return command;
    }

    /// <summary>Runs the decode; returns the exit code. Whatever the files hold, this reports instead of throwing.</summary>
    public static int Run(IReadOnlyList<string> files, string firmware, bool json, string? profilesDirectory, TextWriter stdout, TextWriter stderr)
    {
        try
        {
            return RunCore(files, firmware, json, profilesDirectory, stdout, stderr);
        }
        catch (Exception ex)
        {
            stderr.WriteLine($"farm-agent decode: internal error ({ex.GetType().Name}: {ex.Message}). This is a bug; please report it with the files you decoded.");
            return ExitInternal;
        }
    }

    private static int RunCore(IReadOnlyList<string> files, string firmware, bool json, string? profilesDirectory, TextWriter stdout, TextWriter stderr)
    {
        FirmwareProfileCatalog catalog;
        try
        {
            catalog = FirmwareProfileCatalog.Load(FirmwareProfileLocator.Resolve(profilesDirectory));
        }
        catch (FirmwareProfileException ex)
        {
            stderr.WriteLine("farm-agent decode: firmware profiles unusable: " + ex.Message);
            return ExitProfiles;
        }

        if (files.Count == 0)
        {
            stderr.WriteLine("farm-agent decode: give at least one captured reply file (e.g. summary.json pools.json).");
            return ExitUsage;
        }

        var sets = new List<ApiReplySet>();
        try
        {
            var results = new List<ApiReplyResult>();
            foreach (string file in files)
            {
                byte[] bytes;
                try
                {
                    bytes = File.ReadAllBytes(file);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
                {
                    stderr.WriteLine($"farm-agent decode: cannot read '{file}': {ex.Message}");
                    return ExitUsage;
                }

                string request = CommandFromFileName(file);
                ApiReplySet set = ReplyParser.Parse(bytes, request);
                sets.Add(set);
                results.AddRange(set.Results);
            }

            FirmwareProfile profile;
            bool detected = string.Equals(firmware, FirmwareProfileCatalog.Auto, StringComparison.OrdinalIgnoreCase);
            if (detected)
            {
                profile = new FirmwareDetector(catalog).Detect(results);
            }
            else if (!catalog.TryGet(firmware, out profile))
            {
                stderr.WriteLine($"farm-agent decode: no firmware profile '{firmware}'; known: {string.Join(", ", catalog.Profiles.Select(p => p.Name))}, or auto.");
                return ExitUsage;
            }

            MinerReadResult result = SnapshotDecoder.Decode(profile, results);
            if (json)
            {
                stdout.WriteLine(JsonSerializer.Serialize(DecodeReport.From(profile.Name, detected, [.. files], result), DecodeJsonContext.Default.DecodeReport));
            }
            else if (result.IsSuccess)
            {
                Render(stdout, profile, detected, result.Snapshot);
            }

            if (!result.IsSuccess)
            {
                MinerApiError e = result.Error;
                stderr.WriteLine($"farm-agent decode: {e.Kind} (profile {profile.Name}{(detected ? ", detected" : string.Empty)}): {e.Message}");
                if (e.Position is not null)
                {
                    stderr.WriteLine($"  at byte {e.Position} of the '{e.Command}' reply, near: {e.Excerpt}");
                }

                if (e.StatusCode is not null)
                {
                    stderr.WriteLine($"  miner STATUS code {e.StatusCode}: {e.StatusMessage}");
                }

                return ExitDecodeError;
            }

            return ExitOk;
        }
        finally
        {
            foreach (ApiReplySet set in sets)
            {
                set.Dispose();
            }
        }
    }

    /// <summary>summary.json → summary; pools_summary_stats.json → pools+summary+stats; ascset_0,freq.json → ascset (parameter dropped: the reply is what matters).</summary>
    internal static string CommandFromFileName(string file)
    {
        string name = Path.GetFileNameWithoutExtension(file);
        string[] parts = name.Split('_', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length > 1 && parts.All(KnownCommands.Contains))
        {
            return string.Join('+', parts);
        }

        return parts.Length > 0 ? parts[0] : name;
    }

    private static void Render(TextWriter stdout, FirmwareProfile profile, bool detected, MinerSnapshot s)
    {
        // Colours only on a terminal: a capture check piped to a file or pasted into a ticket must stay plain text.
        bool terminal = ReferenceEquals(stdout, Console.Out) && !Console.IsOutputRedirected;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(stdout),
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
        });
        if (Console.IsOutputRedirected || console.Profile.Width < 160)
        {
            console.Profile.Width = 160; // pool URLs and users must stay readable in logs and pasted captures
        }

        var summary = new Table().Border(TableBorder.Rounded).Title("[bold]Miner snapshot[/]").AddColumn("field").AddColumn("value");
        summary.AddRow("profile", Markup.Escape(profile.Name + (detected ? " (detected)" : string.Empty)));
        summary.AddRow("model", Markup.Escape(s.Identity.Model ?? "-"));
        summary.AddRow("firmware", Markup.Escape(string.Join(' ', new[] { s.Identity.Firmware, s.Identity.FirmwareVersion }.Where(x => x is not null)) is { Length: > 0 } fw ? fw : "-"));
        summary.AddRow("timestamp", s.Timestamp?.ToString("u", CultureInfo.InvariantCulture) ?? "-");
        summary.AddRow("hashrate 5s", s.Hashrate5s?.ToString() ?? "-");
        summary.AddRow("hashrate avg", s.HashrateAverage?.ToString() ?? "-");
        summary.AddRow("hashrate nominal", s.HashrateNominal?.ToString() ?? "-");
        summary.AddRow("power", s.Power?.ToString() ?? "-");
        summary.AddRow("uptime", s.Uptime?.ToString() ?? "-");
        summary.AddRow("HW errors", s.HardwareErrors?.ToString(CultureInfo.InvariantCulture) ?? "-");
        summary.AddRow("max chip temp", Markup.Escape(s.MaxChipTemperature?.ToString() ?? "-"));
        console.Write(summary);

        if (s.Boards.Count > 0)
        {
            var boards = new Table().Border(TableBorder.Rounded).Title("Boards").AddColumns("#", "hashrate", "chip °C", "board °C", "chips", "HW err", "status");
            foreach (BoardReading b in s.Boards)
            {
                boards.AddRow(
                    b.Index.ToString(CultureInfo.InvariantCulture),
                    b.Hashrate?.ToString() ?? "-",
                    b.ChipTemperature?.Celsius.ToString("F1", CultureInfo.InvariantCulture) ?? "-",
                    b.BoardTemperature?.Celsius.ToString("F1", CultureInfo.InvariantCulture) ?? "-",
                    b.Chips?.ToString(CultureInfo.InvariantCulture) ?? "-",
                    b.HardwareErrors?.ToString(CultureInfo.InvariantCulture) ?? "-",
                    Markup.Escape(b.Status ?? "-"));
            }

            console.Write(boards);
        }

        if (s.Fans.Count > 0)
        {
            console.WriteLine("Fans (RPM): " + string.Join("  ", s.Fans.Select(f => $"#{f.Index}={f.Rpm}" + (f.DutyPercent is double d ? $" ({d:0}%)" : string.Empty))));
        }

        if (s.Pools.Count > 0)
        {
            var pools = new Table().Border(TableBorder.Rounded).Title("Pools")
                .AddColumn("#").AddColumn(new TableColumn("url").NoWrap()).AddColumn(new TableColumn("user").NoWrap())
                .AddColumns("status", "prio", "quota", "active", "acc", "rej", "stale", "diff acc", "diff rej", "last share");
            foreach (PoolReading p in s.Pools)
            {
                pools.AddRow(
                    p.Index.ToString(CultureInfo.InvariantCulture),
                    Markup.Escape(p.Url),
                    Markup.Escape(p.User ?? "-"),
                    Markup.Escape(p.Status ?? "-"),
                    p.Priority?.ToString(CultureInfo.InvariantCulture) ?? "-",
                    p.Quota?.ToString(CultureInfo.InvariantCulture) ?? "-",
                    p.Active?.ToString() ?? "-",
                    p.Accepted.ToString(CultureInfo.InvariantCulture),
                    p.Rejected.ToString(CultureInfo.InvariantCulture),
                    p.Stale.ToString(CultureInfo.InvariantCulture),
                    p.DifficultyAccepted.ToString("0.##", CultureInfo.InvariantCulture),
                    p.DifficultyRejected.ToString("0.##", CultureInfo.InvariantCulture),
                    p.LastShareTime?.ToString("u", CultureInfo.InvariantCulture) ?? "-");
            }

            console.Write(pools);
        }

        foreach (string warning in s.Warnings)
        {
            console.MarkupLine("[yellow]warning:[/] " + Markup.Escape(warning));
        }
    }
}
