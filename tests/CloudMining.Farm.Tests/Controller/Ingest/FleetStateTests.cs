using CloudMining.Farm.Controller.Ingest;
using CloudMining.Farm.Shared.Wire;
using Xunit;

namespace CloudMining.Farm.Tests.Controller.Ingest;

/// <summary>How agent messages fold into the controller's in-memory fleet state.</summary>
public sealed class FleetStateTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_degraded_state_takes_a_hashing_miner_out_of_miners_ok_and_keeps_its_telemetry()
    {
        var fleet = new FleetState();
        fleet.Apply(ControllerHistoryTests.Telemetry("m01", 1, 100e12, 3000));
        fleet.Apply(ControllerHistoryTests.Telemetry("m02", 2, 90e12, 2900));
        Assert.Equal(2, Assert.Single(fleet.Racks()).MinersOk);

        fleet.Apply(new MinerStatePayload { Publisher = "agent-s1-r07", Seq = 3, Timestamp = T0, Site = "s1", Rack = "r07", MinerId = "m02", State = MinerState.Degraded });

        RackLiveState rack = Assert.Single(fleet.Racks());
        Assert.Equal(1, rack.MinersOk);
        Assert.Equal(2, rack.MinersTotal);
        Assert.Equal(190e12, rack.HashrateHs);
        Assert.Equal(MinerState.Degraded, fleet.Miner("s1", "r07", "m02")!.State);
        Assert.Equal(90e12, fleet.Miner("s1", "r07", "m02")!.Hashrate5sHs);
    }

    [Fact]
    public void Older_telemetry_does_not_replace_newer_and_an_agent_will_marks_the_rack_offline()
    {
        var fleet = new FleetState();
        fleet.Apply(ControllerHistoryTests.Telemetry("m01", 5, 100e12, 3000) with { Timestamp = T0.AddSeconds(10) });
        fleet.Apply(ControllerHistoryTests.Telemetry("m01", 4, 50e12, 3000));
        Assert.Equal(100e12, fleet.Miner("s1", "r07", "m01")!.Hashrate5sHs);

        fleet.Apply(new AgentStatusPayload { Publisher = "agent-s1-r07", Seq = 1, Timestamp = T0, Site = "s1", Rack = "r07", State = AgentState.Online });
        Assert.True(Assert.Single(fleet.Racks()).AgentOnline);
        fleet.Apply(new AgentStatusPayload { Publisher = "agent-s1-r07", Seq = 1, Timestamp = T0, Site = "s1", Rack = "r07", State = AgentState.Offline });
        Assert.False(Assert.Single(fleet.Racks()).AgentOnline);
    }

    [Fact]
    public void Messages_the_fleet_does_not_track_are_ignored()
    {
        var fleet = new FleetState();
        bool applied = fleet.Apply(new FarmEventPayload { Publisher = "agent-s1-r07", Seq = 1, Timestamp = T0, Site = "s1", Rack = "r07", Kind = "agent", Severity = "info", Action = "agent-started" });
        Assert.False(applied);
        Assert.Empty(fleet.Racks());
    }

    [Fact]
    public void A_batched_reading_keeps_the_serial_the_miner_state_gave()
    {
        var fleet = new FleetState();
        fleet.Apply(new MinerStatePayload { Publisher = "agent-s1-r07", Seq = 1, Timestamp = T0, Site = "s1", Rack = "r07", MinerId = "m01", State = MinerState.Hashing, Serial = "JYZZ2201234" });
        TelemetryBatchPayload batch = Assert.Single(TelemetryBatchPayload.From([ControllerHistoryTests.Telemetry("m01", 2, 100e12, 3000) with { Timestamp = T0.AddSeconds(10) }], "s1", "r07", "agent-s1-r07", T0.AddSeconds(10)));

        fleet.Apply(batch, Assert.Single(batch.Miners));

        MinerLiveState miner = fleet.Miner("s1", "r07", "m01")!;
        Assert.Equal(100e12, miner.Hashrate5sHs);
        Assert.Equal("JYZZ2201234", miner.Serial);
        Assert.Equal(MinerState.Hashing, miner.State);
    }

    [Fact]
    public void Racks_group_every_miner_under_its_own_rack_in_order()
    {
        var fleet = new FleetState();
        for (int r = 12; r >= 1; r--)
        {
            for (int m = 40; m >= 1; m--)
            {
                fleet.Apply(ControllerHistoryTests.Telemetry($"m{m:00}", m, 100e12, 3000) with { Rack = $"r{r:00}", Publisher = $"agent-s1-r{r:00}" });
            }
        }

        fleet.Apply(new AgentStatusPayload { Publisher = "agent-s1-r99", Seq = 1, Timestamp = T0, Site = "s1", Rack = "r99", State = AgentState.Online });

        IReadOnlyList<RackLiveState> racks = fleet.Racks();
        Assert.Equal([.. Enumerable.Range(1, 12).Select(r => $"r{r:00}"), "r99"], racks.Select(r => r.Rack));
        foreach (RackLiveState rack in racks.Take(12))
        {
            Assert.Equal([.. Enumerable.Range(1, 40).Select(m => $"m{m:00}")], rack.Miners.Select(m => m.MinerId));
            Assert.All(rack.Miners, m => Assert.Equal(rack.Rack, m.Rack));
        }

        Assert.Empty(racks[^1].Miners);
        Assert.True(racks[^1].AgentOnline);
    }
}
