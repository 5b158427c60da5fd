using System.Globalization;
using CloudMining.Farm.Controller.Engine;
using CloudMining.Farm.Controller.Enforcement;
using CloudMining.Farm.Shared.Wire;
using CloudMining.Farm.Tests.Infrastructure;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Xunit;

namespace CloudMining.Farm.Tests.Controller.Enforcement;

/// <summary>
/// Lagging racks are logged once each, but at farm scale not a line per rack: the first few get a line, the rest one
/// summary line naming a few and counting the others, at most once per <see cref="DesiredStatePublisher.LagLogWindow"/>.
/// </summary>
public sealed class LaggingRackLogTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan LagAfter = TimeSpan.FromSeconds(120);
    private readonly InMemoryLoggerProvider _log = new();
    private readonly DesiredStatePublisher _desired;

    public LaggingRackLogTests()
    {
        _desired = new DesiredStatePublisher(
            new ControllerSite("s1"), Options.Create(new EngineOptions { LagAfterS = LagAfter.TotalSeconds }), TimeProvider.System, _log.CreateLogger<DesiredStatePublisher>());
    }

    public void Dispose() => _log.Dispose();

    [Fact]
    public void Many_racks_lagging_at_once_give_five_rack_lines_and_one_summary_line()
    {
        PublishTo(Racks(1, 2500), generation: 7, Start);

        _desired.CheckLagging(Start + LagAfter);

        string[] rackLines = [.. RackLines().Select(r => r.Property("Rack")!)];
        Assert.Equal(["r0001", "r0002", "r0003", "r0004", "r0005"], rackLines);
        InMemoryLoggerProvider.LogRecord summary = Assert.Single(SummaryLines());
        Assert.Equal(("2495", "7", LogLevel.Warning), (summary.Property("Count"), summary.Property("Generations"), summary.Level));
        Assert.Equal("r0006, r0007, r0008, r0009, r0010 and 2,490 more", summary.Property("Racks"));
        Assert.Equal(2500, _desired.Tracker.All().Count(r => r.Lagging));

        // Still lagging on the next tick: nothing new to say.
        _desired.CheckLagging(Start + LagAfter + TimeSpan.FromSeconds(10));
        Assert.Equal(6, LagRecords().Count);
    }

    [Fact]
    public void A_few_racks_lagging_get_a_line_each_and_no_summary()
    {
        PublishTo(Racks(1, 3), generation: 2, Start);

        _desired.CheckLagging(Start + LagAfter);

        Assert.Equal(["r0001", "r0002", "r0003"], RackLines().Select(r => r.Property("Rack")));
        Assert.Empty(SummaryLines());
    }

    [Fact]
    public void Summaries_are_rate_limited_and_racks_that_start_lagging_meanwhile_wait_for_the_next_one()
    {
        PublishTo(Racks(1, 20), generation: 3, Start);
        _desired.CheckLagging(Start + LagAfter);
        Assert.Equal(("5", "15"), (RackLines().Count.ToString(CultureInfo.InvariantCulture), Assert.Single(SummaryLines()).Property("Count")));

        // 30 s later, 40 more racks lag: no line yet (the window's five rack lines are spent, a summary was written 30 s ago).
        PublishTo(Racks(21, 60), generation: 4, Start + TimeSpan.FromSeconds(30));
        _desired.CheckLagging(Start + LagAfter + TimeSpan.FromSeconds(30));
        Assert.Equal(6, LagRecords().Count);

        // A minute after the first summary: one line for the 40, naming the generation they lag at.
        _desired.CheckLagging(Start + LagAfter + TimeSpan.FromSeconds(60));
        Assert.Equal(7, LagRecords().Count);
        InMemoryLoggerProvider.LogRecord second = SummaryLines()[^1];
        Assert.Equal(("40", "4", "r0021, r0022, r0023, r0024, r0025 and 35 more"), (second.Property("Count"), second.Property("Generations"), second.Property("Racks")));

        // Later still, with no summary pending, a single new laggard gets its own line again.
        PublishTo(Racks(61, 61), generation: 5, Start + TimeSpan.FromMinutes(5));
        _desired.CheckLagging(Start + TimeSpan.FromMinutes(5) + LagAfter);
        Assert.Equal("r0061", RackLines()[^1].Property("Rack"));
        Assert.Equal(2, SummaryLines().Count);
    }

    private static IEnumerable<string> Racks(int from, int to) =>
        Enumerable.Range(from, to - from + 1).Select(i => "r" + i.ToString("D4", CultureInfo.InvariantCulture));

    private void PublishTo(IEnumerable<string> racks, long generation, DateTimeOffset at)
    {
        foreach (string rack in racks)
        {
            _desired.Tracker.Published(rack, generation, [new MinerPoolAssignment(rack + "-m1", [])], at);
        }
    }

    private List<InMemoryLoggerProvider.LogRecord> LagRecords() => [.. _log.Records.Where(r => r.Message.Contains(" lag", StringComparison.Ordinal))];

    private List<InMemoryLoggerProvider.LogRecord> RackLines() => [.. LagRecords().Where(r => r.Property("Rack") is not null)];

    private List<InMemoryLoggerProvider.LogRecord> SummaryLines() => [.. LagRecords().Where(r => r.Property("Count") is not null)];
}
