using System.Net;
using CloudMining.Farm.Agent.Configuration;
using CloudMining.Farm.Agent.Events;
using CloudMining.Farm.Agent.Power;
using CloudMining.Farm.Simulator;
using CloudMining.Farm.Simulator.Control;
using CloudMining.Farm.Simulator.Mining;
using CloudMining.Farm.Simulator.Power;
using CloudMining.Farm.Tests.Infrastructure;
using CloudMining.Farm.Tests.Simulator;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace CloudMining.Farm.Tests.Agent.Power;

public sealed class SimulatorHttpRelayDriverTests
{
    [Fact]
    public async Task Demo_relay_switches_the_farm_sim_miner_through_its_control_api()
    {
        await using SimulatedFarm farm = await TestFarms.StartAsync("antminer");
        await using ControlServer control = await ControlServer.StartAsync(farm, new IPEndPoint(IPAddress.Loopback, FreeTcpPort.Next()));
        SimulatedMiner miner = farm.Miners[0];
        var options = new AgentOptions();
        options.Hardware.GpioChip = "sim-http://" + control.Url.Authority;
        options.Hardware.Relays.Add(new RelayOptions { Outlet = "PDU-A/1", Miner = miner.Id, Line = 1, ActiveLow = true });
        options.Power.MinOffTime = TimeSpan.Zero;
        options.Power.PowerUpGap = TimeSpan.Zero;

        using var relays = new RelayController(SimulatedRelayChips.Factory.Create(options), options.Hardware.Relays, options.Power,
            new RackEventBus(NullLogger<RackEventBus>.Instance), TimeProvider.System, NullLogger<RelayController>.Instance);
        Assert.Empty(relays.Open());
        Assert.Equal(MinerPowerState.Running, miner.PowerState);

        await relays.PowerOffAsync(miner.Id, "demo", CancellationToken.None);
        Assert.Equal(MinerPowerState.Off, miner.PowerState);

        await relays.PowerOnAsync(miner.Id, "demo", CancellationToken.None);
        Assert.NotEqual(MinerPowerState.Off, miner.PowerState);
    }

    [Fact]
    public async Task Demo_relay_finds_a_miner_farm_sim_started_unpowered_off_and_powers_it_up()
    {
        await using SimulatedFarm farm = await TestFarms.StartAsync("antminer", customize: (_, s) => s with { PoweredOnAtStart = false });
        await using ControlServer control = await ControlServer.StartAsync(farm, new IPEndPoint(IPAddress.Loopback, FreeTcpPort.Next()));
        SimulatedMiner miner = farm.Miners[0];
        var options = new AgentOptions();
        options.Hardware.GpioChip = "sim-http://" + control.Url.Authority;
        options.Hardware.Relays.Add(new RelayOptions { Outlet = "PDU-A/1", Miner = miner.Id, Line = 1 });
        options.Power.MinOffTime = TimeSpan.Zero;

        using var relays = new RelayController(SimulatedRelayChips.Factory.Create(options), options.Hardware.Relays, options.Power,
            new RackEventBus(NullLogger<RackEventBus>.Instance), TimeProvider.System, NullLogger<RelayController>.Instance);

        Assert.Equal(miner.Id, Assert.Single(relays.Open()).Miner);
        Assert.Equal(MinerPowerState.Off, miner.PowerState);
        await relays.PowerUpRackAsync("agent start", CancellationToken.None);
        Assert.NotEqual(MinerPowerState.Off, miner.PowerState);
    }
}
