using CloudMining.Farm.ControlApi;
using CloudMining.Farm.Controller.Engine;
using CloudMining.Farm.Controller.Operations;
using CloudMining.Farm.Shared.Wire;
using Xunit;

namespace CloudMining.Farm.Tests.Controller.Engine;

/// <summary>
/// The engine on a manual clock through the outages that used to move miners for nothing: the controller's own broker
/// connection gone and back, an agent offline within its grace; and new miner ids on probation, also across a restart.
/// </summary>
public sealed class OutageCalmTests
{
    private static readonly TimeSpan Tick = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_five_minute_broker_outage_and_the_reconnect_move_nothing()
    {
        var gate = new BrokerOutageGate();
        await using EngineFarm farm = await EngineFarm.StartAsync(o => o.TelemetryStaleS = 60, broker: gate);
        gate.Connected(farm.Clock.GetUtcNow());
        farm.WithMiners(racks: 2, perRack: 4, th: 100);
        await farm.RunAsync(TimeSpan.FromMinutes(1), Tick);
        await farm.AddContractAsync("c1", 300);
        await farm.RunAsync(TimeSpan.FromMinutes(1), Tick);
        long version = farm.Engine.Version;
        CapacityView before = await farm.Engine.GetCapacityAsync(CancellationToken.None);

        gate.Disconnected();
        await farm.TickSilentlyAsync(TimeSpan.FromMinutes(5), Tick);
        Assert.Equal(version, farm.Engine.Version);
        Assert.Equal(before.UnitsTotal, (await farm.Engine.GetCapacityAsync(CancellationToken.None)).UnitsTotal);

        // Back, but the agents' telemetry has not arrived yet: still nothing is stale within the first window.
        gate.Connected(farm.Clock.GetUtcNow());
        await farm.TickSilentlyAsync(TimeSpan.FromSeconds(50), Tick);
        Assert.Equal(version, farm.Engine.Version);

        await farm.RunAsync(TimeSpan.FromMinutes(2), Tick);
        Assert.Equal(version, farm.Engine.Version);
        Assert.Equal(before.UnitsTotal, (await farm.Engine.GetCapacityAsync(CancellationToken.None)).UnitsTotal);
    }

    [Fact]
    public async Task A_rack_silent_after_the_reconnect_is_held_for_the_offline_grace_then_its_miners_are_lost()
    {
        var gate = new BrokerOutageGate();
        await using EngineFarm farm = await EngineFarm.StartAsync(o => { o.TelemetryStaleS = 60; o.AgentOfflineGraceMin = 3; }, broker: gate);
        gate.Connected(farm.Clock.GetUtcNow());
        farm.WithMiners(racks: 2, perRack: 4, th: 100);
        await farm.RunAsync(TimeSpan.FromMinutes(1), Tick);
        await farm.AddContractAsync("c1", 300);
        await farm.RunAsync(TimeSpan.FromMinutes(1), Tick);
        long version = farm.Engine.Version;

        gate.Disconnected();
        await farm.TickSilentlyAsync(TimeSpan.FromMinutes(2), Tick);
        gate.Connected(farm.Clock.GetUtcNow());
        foreach (SimMiner m in farm.Miners.Values.Where(m => m.Rack == "r1"))
        {
            m.On = false;
        }

        // Nothing at all from r1 since the reconnect: its agent may still be backing off after the same outage, so a
        // full stale window passes without a move...
        await farm.RunAsync(TimeSpan.FromSeconds(90), Tick);
        Assert.Equal(version, farm.Engine.Version);

        // ...and once the offline grace (3 min from the reconnect) is over, its silence counts.
        await farm.RunAsync(TimeSpan.FromSeconds(120), Tick);
        Assert.True(farm.Engine.Version > version, "rack r1 stayed silent past the grace after the reconnect, yet nothing was re-allocated");
        ContractView c1 = (await farm.Engine.GetContractAsync("c1", CancellationToken.None))!;
        Assert.All(c1.Shares, s => Assert.Equal("r2", s.Rack));
    }

    [Fact]
    public async Task An_agent_offline_within_its_grace_keeps_the_allocation_and_after_it_its_miners_are_lost()
    {
        await using EngineFarm farm = await EngineFarm.StartAsync(o => { o.TelemetryStaleS = 60; o.AgentOfflineGraceMin = 3; });
        farm.WithMiners(racks: 2, perRack: 4, th: 100);
        farm.AgentStatus("r1", AgentState.Online);
        farm.AgentStatus("r2", AgentState.Online);
        await farm.RunAsync(TimeSpan.FromMinutes(1), Tick);
        await farm.AddContractAsync("c1", 600);
        await farm.RunAsync(TimeSpan.FromMinutes(1), Tick);
        long version = farm.Engine.Version;
        Assert.Contains((await farm.Engine.GetContractAsync("c1", CancellationToken.None))!.Shares, s => s.Rack == "r1");

        farm.AgentStatus("r1", AgentState.Offline);
        foreach (SimMiner m in farm.Miners.Values.Where(m => m.Rack == "r1"))
        {
            m.On = false;
        }

        await farm.RunAsync(TimeSpan.FromMinutes(2.8), Tick);
        Assert.Equal(version, farm.Engine.Version);

        await farm.RunAsync(TimeSpan.FromSeconds(30), Tick);
        Assert.True(farm.Engine.Version > version, "the agent stayed offline beyond its grace, yet its miners still hold shares");
        Assert.DoesNotContain((await farm.Engine.GetContractAsync("c1", CancellationToken.None))!.Shares, s => s.Rack == "r1");
    }

    [Fact]
    public async Task A_graceful_agent_restart_moves_nothing()
    {
        await using EngineFarm farm = await EngineFarm.StartAsync(o => { o.TelemetryStaleS = 30; o.AgentOfflineGraceMin = 3; });
        farm.WithMiners(racks: 2, perRack: 4, th: 100);
        farm.AgentStatus("r1", AgentState.Online);
        farm.AgentStatus("r2", AgentState.Online);
        await farm.RunAsync(TimeSpan.FromMinutes(1), Tick);
        await farm.AddContractAsync("c1", 600);
        await farm.RunAsync(TimeSpan.FromMinutes(1), Tick);
        long version = farm.Engine.Version;

        List<SimMiner> r1 = [.. farm.Miners.Values.Where(m => m.Rack == "r1")];
        farm.AgentStatus("r1", AgentState.Offline);
        r1.ForEach(m => m.On = false);
        await farm.RunAsync(TimeSpan.FromSeconds(50), Tick);

        // Back online; its first poll comes a while later, longer than TelemetryStaleS after the last one.
        farm.AgentStatus("r1", AgentState.Online);
        await farm.RunAsync(TimeSpan.FromSeconds(20), Tick);
        r1.ForEach(m => m.On = true);
        await farm.RunAsync(TimeSpan.FromMinutes(1), Tick);

        Assert.Equal(version, farm.Engine.Version);
    }

    [Fact]
    public async Task A_new_miner_id_is_not_sold_during_probation_and_known_miners_need_none_after_a_restart()
    {
        await using EngineFarm farm = await EngineFarm.StartAsync(o => { o.ProbationReadings = 5; o.ProbationMin = 2; });
        farm.WithMiners(racks: 2, perRack: 4, th: 100);
        await farm.RunAsync(TimeSpan.FromMinutes(1), Tick);
        Assert.Equal(0, (await farm.Engine.GetCapacityAsync(CancellationToken.None)).UnitsTotal);
        await farm.RunAsync(TimeSpan.FromMinutes(1.5), Tick);
        CapacityView fleet = await farm.Engine.GetCapacityAsync(CancellationToken.None);
        Assert.Equal(80, fleet.UnitsTotal);

        farm.AddMiner("stranger", "r1", th: 100);
        await farm.RunAsync(TimeSpan.FromMinutes(1.5), Tick);
        CapacityView during = await farm.Engine.GetCapacityAsync(CancellationToken.None);
        Assert.Equal((80L, 8), (during.UnitsTotal, during.MinersTotal));
        MinerView stranger = (await farm.Engine.GetMinerAsync("stranger", CancellationToken.None))!;
        Assert.True(stranger.Probation);
        Assert.DoesNotContain((await farm.Engine.GetAllocationAsync(CancellationToken.None)).House, s => s.MinerId == "stranger");

        await farm.RunAsync(TimeSpan.FromMinutes(1), Tick);
        CapacityView after = await farm.Engine.GetCapacityAsync(CancellationToken.None);
        Assert.Equal((90L, 9), (after.UnitsTotal, after.MinersTotal));
        Assert.False((await farm.Engine.GetMinerAsync("stranger", CancellationToken.None))!.Probation);

        // A restart with nothing heard yet: the miners the store knows are sellable from their first reading.
        await farm.CloseAsync();
        await farm.OpenAsync(freshFleet: true);
        await farm.RunAsync(TimeSpan.FromSeconds(20), Tick);
        Assert.Equal(90, (await farm.Engine.GetCapacityAsync(CancellationToken.None)).UnitsTotal);
    }
}
