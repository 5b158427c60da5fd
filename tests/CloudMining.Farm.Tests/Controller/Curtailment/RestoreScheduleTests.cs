using CloudMining.Farm.Controller.Curtailment;
using Xunit;

namespace CloudMining.Farm.Tests.Controller.Curtailment;

public sealed class RestoreScheduleTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 6, 18, 0, 0, TimeSpan.Zero);

    private static MinerCurtailment Step(string id, string owner, double watts, double jth) =>
        new(id, "r1", CurtailmentAction.Sleep, null, owner, watts, jth, watts, 100e12, "test", CurtailmentStepKind.SleptWholeHouse);

    [Fact]
    public void Restore_comes_in_waves_within_the_power_budget_contracts_first_then_the_most_efficient_house_miners()
    {
        MinerCurtailment[] curtailed =
        [
            Step("h-bad", "house", 3000, 40), Step("h-good", "house", 3000, 25), Step("c1", "A", 3000, 38),
            Step("h-mid", "house", 3000, 30), Step("c2", "B", 3000, 35),
        ];

        IReadOnlyList<RestoreWave> waves = RestoreSchedule.Build(curtailed, maxWaveW: 6500, TimeSpan.FromSeconds(30), Start);

        Assert.Equal([["c2", "c1"], ["h-good", "h-mid"], ["h-bad"]], waves.Select(w => w.MinerIds.ToArray()));
        Assert.Equal([Start, Start.AddSeconds(30), Start.AddSeconds(60)], waves.Select(w => w.At));
        Assert.All(waves, w => Assert.True(w.PowerW <= 6500));
    }

    [Fact]
    public void A_miner_larger_than_the_budget_goes_alone_rather_than_never()
    {
        IReadOnlyList<RestoreWave> waves = RestoreSchedule.Build([Step("big", "house", 9000, 30), Step("small", "house", 1000, 31)], 5000, TimeSpan.FromSeconds(10), Start);

        Assert.Equal([["big"], ["small"]], waves.Select(w => w.MinerIds.ToArray()));
    }
}
