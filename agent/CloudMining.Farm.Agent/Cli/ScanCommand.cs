using System.CommandLine;
using System.CommandLine.Parsing;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using CloudMining.Farm.Agent.Scan;
using CloudMining.Farm.Shared.Firmware;
using CloudMining.Farm.Shared.MinerApi;
using CloudMining.Farm.Shared.Units;
using Spectre.Console;

namespace CloudMining.Farm.Agent.Cli;

/// <summary>The `farm-agent scan CIDR` command: finds miners on the API port and names their firmware, with a progress bar.</summary>
internal static class ScanCommand
{
    public const int UsageExitCode = 2;

    /// <summary>What the command was asked to do.</summary>
    internal sealed record Request(string Cidr, int Port, TimeSpan Timeout, int Concurrency, bool Json, bool Force, bool EmitConfig, string? ProfilesDirectory);

    public static Command Create()
    {
        var cidr = new Argument<string>("CIDR") { Description = "The rack's subnet, e.g. 10.0.7.0/24 (a single address scans one host)." };
        var port = new Option<int>("--port") { Description = "The miners' API port.", DefaultValueFactory = _ => MinerEndpoint.DefaultPort };
        var timeout = new Option<TimeSpan>("--timeout")
        {
            Description = "Connect and reply timeout per address: 1s, 500ms, 00:00:02.",
            DefaultValueFactory = _ => TimeSpan.FromSeconds(1),
            CustomParser = ParseDuration,
        };
        var concurrency = new Option<int>("--concurrency") { Description = "Addresses probed at the same time.", DefaultValueFactory = _ => 256 };
        var json = new Option<bool>("--json") { Description = "Print the result as JSON (no progress bar)." };
        var force = new Option<bool>("--force") { Description = $"Allow blocks larger than /{Ipv4Range.LargestWithoutForce}." };
        var emit = new Option<bool>("--emit-config") { Description = "Also print a ready-to-paste \"Miners\" list for agent.json." };
        var profiles = new Option<string?>("--profiles") { Description = "Folder of firmware profiles (default: the shipped ones)." };
        var command = new Command("scan", "Find miners on a subnet: connect on the API port, ask version (and what detection needs), name the firmware profile.")
        {
            cidr, port, timeout, concurrency, json, force, emit, profiles,
        };
        command.SetAction((parse, ct) =>
        {
            var request = new Request(
                parse.GetValue(cidr)!, parse.GetValue(port), parse.GetValue(timeout), parse.GetValue(concurrency),
                parse.GetValue(json), parse.GetValue(force), parse.GetValue(emit), parse.GetValue(profiles));
            bool progressBar = !request.Json && !Console.IsErrorRedirected;
            IAnsiConsole console = AnsiConsole.Console;
            if (Console.IsOutputRedirected)
            {
                console.Profile.Width = 200;
            }

            IAnsiConsole? progressConsole = progressBar ? AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) }) : null;
            return ExecuteAsync(request, console, Console.Out, Console.Error, progressConsole, ct);
        });
        return command;
    }

    /// <summary>0 when the sweep ran (even if it found nothing), 2 for a bad argument or unusable profiles.</summary>
    public static async Task<int> ExecuteAsync(Request request, IAnsiConsole console, TextWriter output, TextWriter error, IAnsiConsole? progressConsole, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        Ipv4Range range;
        try
        {
            range = Ipv4Range.Parse(request.Cidr);
        }
        catch (FormatException e)
        {
            await error.WriteLineAsync($"farm-agent scan: {e.Message}");
            return UsageExitCode;
        }

        if (range.PrefixLength < Ipv4Range.LargestWithoutForce && !request.Force)
        {
            await error.WriteLineAsync(
                $"farm-agent scan: {range} holds {range.HostCount.ToString("N0", CultureInfo.InvariantCulture)} addresses; scan the rack's own subnet (/{Ipv4Range.LargestWithoutForce} or smaller), or add --force.");
            return UsageExitCode;
        }

        if (request.Port is < 1 or > 65535 || request.Concurrency < 1 || request.Timeout <= TimeSpan.Zero)
        {
            await error.WriteLineAsync("farm-agent scan: --port must be 1 to 65535, --concurrency at least 1 and --timeout positive (e.g. 1s).");
            return UsageExitCode;
        }

        FirmwareProfileCatalog catalog;
        try
        {
            catalog = FirmwareProfileCatalog.Load(FirmwareProfileLocator.Resolve(request.ProfilesDirectory));
        }
        catch (FirmwareProfileException e)
        {
            await error.WriteLineAsync($"farm-agent scan: firmware profiles unusable: {e.Message}");
            return UsageExitCode;
        }

        var scanner = new MinerScanner(catalog, request.Timeout);
        var clock = Stopwatch.StartNew();
        IReadOnlyList<ScanHit> hits;
        if (progressConsole is null)
        {
            hits = await scanner.ScanAsync(range.Hosts(), request.Port, request.Concurrency, null, cancellationToken);
        }
        else
        {
            hits = await progressConsole.Progress()
                .AutoClear(true)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                .StartAsync(async ctx =>
                {
                    ProgressTask task = ctx.AddTask($"scanning {range} port {request.Port}", maxValue: range.HostCount);
                    var ticks = new Progress<int>(n => task.Increment(n));
                    IReadOnlyList<ScanHit> found = await scanner.ScanAsync(range.Hosts(), request.Port, request.Concurrency, ticks, cancellationToken);
                    task.Value = task.MaxValue;
                    return found;
                });
        }

        var report = new ScanReport(range.ToString(), request.Port, range.HostCount, Math.Round(clock.Elapsed.TotalSeconds, 2), hits);
        if (request.Json)
        {
            await output.WriteLineAsync(JsonSerializer.Serialize(report, ScanJsonContext.Default.ScanReport));
            return 0;
        }

        Render(console, report);
        if (request.EmitConfig)
        {
            console.WriteLine();
            console.MarkupLine("[bold]Paste into /etc/farm-agent/agent.json under \"Agent\"[/] (rename the ids to the labels on the machines):");
            await output.WriteLineAsync(MinersSnippet(hits));
        }

        return 0;
    }

    private static void Render(IAnsiConsole console, ScanReport report)
    {
        if (report.Miners.Count == 0)
        {
            console.MarkupLine($"No miner answered on port {report.Port} in {Markup.Escape(report.Range)} ({report.Scanned} addresses, {report.Seconds.ToString("F1", CultureInfo.InvariantCulture)} s). Check the subnet, the cabling, and that the miners' API is enabled.");
            return;
        }

        var table = new Table().Border(TableBorder.Simple);
        table.AddColumns("Address", "Firmware profile", "Model", "Version", "Hashrate");
        foreach (ScanHit h in report.Miners)
        {
            table.AddRow(
                Markup.Escape(h.Port == MinerEndpoint.DefaultPort ? h.Address : $"{h.Address}:{h.Port}"),
                Markup.Escape(h.Profile ?? "?"),
                Markup.Escape(h.Model ?? "-"),
                Markup.Escape(h.Version ?? h.Firmware ?? "-"),
                h.Error is not null ? $"[red]{Markup.Escape(h.Error)}[/]" : Markup.Escape(h.Hashrate5sHs is { } r ? new Hashrate(r).Format(new Hashrate(r).NaturalUnit(), 1) : "-"));
        }

        console.Write(table);
        console.MarkupLine($"{report.Miners.Count} miner(s) in {Markup.Escape(report.Range)} ({report.Scanned} addresses, {report.Seconds.ToString("F1", CultureInfo.InvariantCulture)} s).");
    }

    /// <summary>The "Miners" entries for agent.json: one per hit, with the detected profile, ids derived from the address.</summary>
    internal static string MinersSnippet(IReadOnlyList<ScanHit> hits)
    {
        ArgumentNullException.ThrowIfNull(hits);
        var sb = new StringBuilder("\"Miners\": [\n");
        for (int i = 0; i < hits.Count; i++)
        {
            ScanHit h = hits[i];
            string id = "miner-" + h.Address.Replace('.', '-').Replace(':', '-');
            sb.Append("  { \"Id\": ").Append(JsonSerializer.Serialize(id, ScanSnippetJson.Default.String))
              .Append(", \"Address\": ").Append(JsonSerializer.Serialize(h.Address, ScanSnippetJson.Default.String));
            if (h.Port != MinerEndpoint.DefaultPort)
            {
                sb.Append(", \"Port\": ").Append(h.Port.ToString(CultureInfo.InvariantCulture));
            }

            sb.Append(", \"Profile\": ").Append(JsonSerializer.Serialize(h.Profile ?? FirmwareProfileCatalog.Auto, ScanSnippetJson.Default.String)).Append(" }");
            sb.Append(i < hits.Count - 1 ? ",\n" : "\n");
        }

        return sb.Append(']').ToString();
    }

    /// <summary>"1s", "500ms", "2.5s", "1m" or a TimeSpan ("00:00:02").</summary>
    internal static TimeSpan ParseDuration(ArgumentResult result)
    {
        string text = result.Tokens.Count == 0 ? "1s" : result.Tokens[0].Value.Trim();
        if (TryParseDuration(text, out TimeSpan value) && value > TimeSpan.Zero)
        {
            return value;
        }

        result.AddError($"'{text}' is not a duration; write e.g. 1s, 500ms or 00:00:02.");
        return default;
    }

    internal static bool TryParseDuration(string text, out TimeSpan value)
    {
        (string suffix, double scale)[] units = [("ms", 1), ("s", 1000), ("m", 60_000)];
        foreach ((string suffix, double scale) in units)
        {
            if (text.EndsWith(suffix, StringComparison.OrdinalIgnoreCase)
                && double.TryParse(text.AsSpan(0, text.Length - suffix.Length), NumberStyles.Float, CultureInfo.InvariantCulture, out double n))
            {
                value = TimeSpan.FromMilliseconds(n * scale);
                return true;
            }
        }

        return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out value);
    }
}
