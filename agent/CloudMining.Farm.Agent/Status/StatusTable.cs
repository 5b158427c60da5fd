using System.Globalization;
using CloudMining.Farm.Shared.Units;
using Spectre.Console;

namespace CloudMining.Farm.Agent.Status;

/// <summary>Renders status.json as the table a technician reads at the rack.</summary>
public static class StatusTable
{
    public static void Render(IAnsiConsole console, AgentStatusDocument doc, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(doc);
        TimeSpan age = StatusFreshness.Age(doc, now);
        string rack = Markup.Escape(doc.RackId) + (string.IsNullOrEmpty(doc.Site) ? string.Empty : " at " + Markup.Escape(doc.Site));
        if (StatusFreshness.IsStale(doc, now))
        {
            console.MarkupLine(
                $"[red bold]The agent is not running:[/] [red]status.json was last written {Ago(age)} ago at {doc.WrittenAt.ToString("u", CultureInfo.InvariantCulture)}, " +
                $"more than {StatusFreshness.StaleAfterIntervals} poll intervals; the figures below are stale. Start it with `systemctl start farm-agent`.[/]");
        }

        console.MarkupLine(
            $"Rack [bold]{rack}[/]: {doc.MinersAnswering} of {doc.MinersTotal} miners answering, " +
            $"{Markup.Escape(new Hashrate(doc.RackHashrate5sHashesPerSecond).Format(NaturalUnit(doc.RackHashrate5sHashesPerSecond), 2))} (5 s); " +
            $"cycle {doc.Cycle} took {doc.CycleSeconds.ToString("F2", CultureInfo.InvariantCulture)} s of {doc.PollIntervalSeconds.ToString("F0", CultureInfo.InvariantCulture)} s, written {Ago(age)} ago by pid {doc.ProcessId}.");

        var table = new Table().Border(TableBorder.Rounded);
        table.AddColumns("Miner", "Address", "Firmware", "Model", "Hashrate 5s / avg", "Chip °C", "Fans RPM", "Active pool", "State", "Last error");
        foreach (MinerStatusEntry m in doc.Miners)
        {
            // A miner that stopped answering keeps its last snapshot in status.json (with its time), but showing its old
            // hashrate and temperatures as if current would mislead at the rack.
            bool live = m.State is "Ok" or "Degraded" or "NotHashing";
            table.AddRow(
                Markup.Escape(m.Id),
                Markup.Escape(m.Port == Shared.MinerApi.MinerEndpoint.DefaultPort ? m.Address : $"{m.Address}:{m.Port}"),
                Markup.Escape(m.FirmwareProfile ?? m.ConfiguredProfile),
                Markup.Escape(m.Model ?? "-"),
                live ? Markup.Escape($"{Rate(m.Hashrate5s)} / {Rate(m.HashrateAverage)}") : "-",
                live && m.MaxChipTemperature is { } t ? t.ToString("F0", CultureInfo.InvariantCulture) : "-",
                !live || m.FanRpm.Count == 0 ? "-" : string.Join(' ', m.FanRpm.Select(r => r.ToString(CultureInfo.InvariantCulture))),
                Markup.Escape(Pool(m)),
                StateMarkup(m.State),
                Markup.Escape(LastError(m, live, now)));
        }

        console.Write(table);
    }

    /// <summary>For a silent miner, how long ago it last answered matters as much as why it stopped.</summary>
    private static string LastError(MinerStatusEntry m, bool live, DateTimeOffset now)
    {
        string error = Shorten(m.LastError, 60) ?? "-";
        if (live)
        {
            return error;
        }

        string seen = m.LastSuccessAt is { } at ? $"last ok {Ago(now - at)} ago" : "never answered";
        return $"{error} ({seen})";
    }

    private static string Rate(double? hashesPerSecond) =>
        hashesPerSecond is { } h ? new Hashrate(h).Format(NaturalUnit(h), 1) : "-";

    private static HashrateUnit NaturalUnit(double hashesPerSecond) => new Hashrate(hashesPerSecond).NaturalUnit();

    private static string Pool(MinerStatusEntry m) =>
        m.PoolUrl is null ? "-" : m.PoolUser is null ? m.PoolUrl : $"{m.PoolUrl} ({m.PoolUser})";

    private static string StateMarkup(string state) => state switch
    {
        "Ok" => "[green]Ok[/]",
        "Degraded" or "NotHashing" or "Unknown" => $"[yellow]{Markup.Escape(state)}[/]",
        _ => $"[red]{Markup.Escape(state)}[/]",
    };

    private static string? Shorten(string? text, int max) =>
        text is null || text.Length <= max ? text : text[..(max - 1)] + "…";

    private static string Ago(TimeSpan age) =>
        age.TotalSeconds < 0 ? "0 s"
        : age.TotalSeconds < 120 ? age.TotalSeconds.ToString("F0", CultureInfo.InvariantCulture) + " s"
        : age.TotalMinutes < 120 ? age.TotalMinutes.ToString("F0", CultureInfo.InvariantCulture) + " min"
        : age.TotalHours.ToString("F1", CultureInfo.InvariantCulture) + " h";
}
