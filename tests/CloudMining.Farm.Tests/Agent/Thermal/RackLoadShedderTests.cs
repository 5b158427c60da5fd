using CloudMining.Farm.Agent.Events;
using CloudMining.Farm.Agent.Polling;
using CloudMining.Farm.Agent.Thermal;
using CloudMining.Farm.Shared.Wire;
using CloudMining.Farm.Shared.Units;
using CloudMining.Farm.Simulator.Mining;
using Xunit;

namespace CloudMining.Farm.Tests.Agent.Thermal;

/// <summary>
/// Four simulated miners in different intake air (so their chips differ): 0 and 1 unsold, 2 and 3 serving contracts.
/// Rack limit 60 °C exhaust, 60 s grace, one miner per step, 2 min settle, 5 °C hysteresis, 1 min restore gap.
/// </summary>
public sealed class RackLoadShedderTests
{
    // Intake per miner: 1 is the hotter unsold one, 2 the hottest of all (but it serves a contract).
    private static readonly double[] Ambient = [30, 40, 45, 35];

    private static async Task<(ThermalTestRack Rack, RackLoadShedder Shedder)> RigAsync(FixedDesiredPoolState? desired = null)
    {
        ThermalTestRack rack = await ThermalTestRack.StartAsync(miners: 4, ambientCelsius: i => Ambient[i]);
        var t = rack.Options.Thermal;
        t.RackExhaustLimitCelsius = 60;
        t.RackGracePeriod = TimeSpan.FromSeconds(60);
        t.ShedStep = 1;
        t.ShedSettleTime = TimeSpan.FromMinutes(2);
        t.RackHysteresisCelsius = 5;
        t.RestoreGap = TimeSpan.FromMinutes(1);
        desired ??= new FixedDesiredPoolState(Desired(rack));
        var shedder = new RackLoadShedder(rack.Options, rack.Power, desired, guard: null, rack.Events, rack.Clock, rack.Logs.CreateLogger<RackLoadShedder>());
        return (rack, shedder);
    }

    /// <summary>What the controller sent: miner 1 to the house pool, 2 and 3 to customers; miner 0 is not in it at all (also unsold).</summary>
    private static DesiredPoolStatePayload Desired(ThermalTestRack rack)
    {
        PoolTarget house = new("stratum+tcp://pool.house.example:3333", "house.worker", 0);
        PoolTarget customer = new("stratum+tcp://pool.customer.example:3333", "customer.w1", 0);
        return new DesiredPoolStatePayload
        {
            Publisher = "controller",
            Seq = 1,
            Timestamp = rack.Clock.GetUtcNow(),
            Site = "test",
            Rack = "T-01",
            Generation = 7,
            Miners =
            [
                new MinerPoolAssignment(rack[1].Id, [house]),
                new MinerPoolAssignment(rack[2].Id, [customer], "C-1"),
                new MinerPoolAssignment(rack[3].Id, [customer], "C-2"),
            ],
        };
    }

    /// <summary>Thirty seconds of rack life: poll every 5 s, one shedder pass every 30 s at the given exhaust.</summary>
    private static async Task HalfMinuteAsync(ThermalTestRack rack, RackLoadShedder shedder, double? exhaustCelsius)
    {
        IReadOnlyList<MinerPollStatus> miners = [];
        for (int i = 0; i < 6; i++)
        {
            miners = await rack.NextCycleAsync();
        }

        await shedder.StepAsync(exhaustCelsius is { } c ? Temperature.FromCelsius(c) : null, miners, CancellationToken.None);
    }

    private static string[] Offs(ThermalTestRack rack) => rack.Power.Actions.Where(a => a.Action == "off").Select(a => a.MinerId).ToArray();

    private static string[] Ons(ThermalTestRack rack) => rack.Power.Actions.Where(a => a.Action == "on").Select(a => a.MinerId).ToArray();

    [Fact]
    public async Task Rack_over_its_limit_sheds_unsold_miners_before_contract_miners_hottest_first_then_restores_them_one_by_one()
    {
        (ThermalTestRack rack, RackLoadShedder shedder) = await RigAsync();
        await using ThermalTestRack _ = rack;
        string[] id = rack.Farm.Miners.Select(m => m.Id).ToArray();
        IReadOnlyList<MinerPollStatus> start = await rack.PollAsync();
        double[] chips = start.Select(m => m.Snapshot!.MaxChipTemperature!.Value.Celsius).ToArray();
        Assert.True(chips[2] > chips[1] && chips[1] > chips[3] && chips[3] > chips[0], "chips follow the intake air: " + string.Join(", ", chips));

        // Exhaust over the limit: an alarm at once, nothing switched off within the grace.
        await shedder.StepAsync(Temperature.FromCelsius(64), start, CancellationToken.None);
        Assert.Single(rack.Alarms("rack-over-temperature"));
        await HalfMinuteAsync(rack, shedder, 64);
        Assert.Empty(rack.Power.Actions);

        // Grace over: the hotter unsold miner goes first, though a contract miner runs hotter still.
        await HalfMinuteAsync(rack, shedder, 64);
        Assert.Equal([id[1]], Offs(rack));
        Assert.Equal(MinerPowerState.Off, rack[1].PowerState);
        RackEvent first = Assert.Single(rack.Alarms("load-shed"));
        Assert.Equal(id[1], first.MinerId);
        Assert.Contains("unsold", first.Detail, StringComparison.Ordinal);

        // Still hot: one more step per settle time (2 min) — the other unsold miner, then the contracts, hottest first.
        for (int i = 0; i < 3; i++)
        {
            await HalfMinuteAsync(rack, shedder, 64);
        }

        Assert.Equal([id[1]], Offs(rack));
        await HalfMinuteAsync(rack, shedder, 64);
        Assert.Equal([id[1], id[0]], Offs(rack));
        for (int i = 0; i < 8; i++)
        {
            await HalfMinuteAsync(rack, shedder, 64);
        }

        Assert.Equal([id[1], id[0], id[2], id[3]], Offs(rack));
        Assert.Contains("contract C-1", rack.Alarms("load-shed")[2].Detail, StringComparison.Ordinal);
        Assert.All(rack.Farm.Miners, m => Assert.Equal(MinerPowerState.Off, m.PowerState));

        // Nothing left to shed: one critical alarm, not one per step.
        for (int i = 0; i < 8; i++)
        {
            await HalfMinuteAsync(rack, shedder, 64);
        }

        RackEvent exhausted = Assert.Single(rack.Alarms("load-shed"), e => e.MinerId is null);
        Assert.Equal("critical", exhausted.Severity);

        // Under the limit but inside the hysteresis: nothing comes back yet.
        for (int i = 0; i < 6; i++)
        {
            await HalfMinuteAsync(rack, shedder, 57);
        }

        Assert.Empty(Ons(rack));
        Assert.Single(rack.Alarms("rack-temperature-normal"));

        // Cool: one miner per restore gap, the last shed first (contract miners before unsold ones).
        await HalfMinuteAsync(rack, shedder, 50);
        Assert.Equal([id[3]], Ons(rack));
        await HalfMinuteAsync(rack, shedder, 50);
        Assert.Equal([id[3]], Ons(rack));
        for (int i = 0; i < 6; i++)
        {
            await HalfMinuteAsync(rack, shedder, 50);
        }

        Assert.Equal([id[3], id[2], id[0], id[1]], Ons(rack));
        Assert.Equal(4, rack.Alarms("load-restored").Count);
        Assert.Empty(shedder.Shed);
        Assert.All(rack.Farm.Miners, m => Assert.NotEqual(MinerPowerState.Off, m.PowerState));
    }

    [Fact]
    public async Task Without_a_desired_state_every_miner_counts_as_unsold_and_the_hottest_goes_first()
    {
        (ThermalTestRack rack, RackLoadShedder shedder) = await RigAsync(new FixedDesiredPoolState(null));
        await using ThermalTestRack _ = rack;
        await shedder.StepAsync(Temperature.FromCelsius(64), await rack.PollAsync(), CancellationToken.None);
        await HalfMinuteAsync(rack, shedder, 64);
        await HalfMinuteAsync(rack, shedder, 64);

        Assert.Equal([rack[2].Id], Offs(rack));
    }

    [Fact]
    public async Task Unreadable_exhaust_neither_sheds_nor_restores()
    {
        (ThermalTestRack rack, RackLoadShedder shedder) = await RigAsync();
        await using ThermalTestRack _ = rack;
        await shedder.StepAsync(Temperature.FromCelsius(64), await rack.PollAsync(), CancellationToken.None);
        for (int i = 0; i < 10; i++)
        {
            await HalfMinuteAsync(rack, shedder, null);
        }

        Assert.Empty(rack.Power.Actions);
        Assert.True(shedder.IsOverLimit);
    }
}
