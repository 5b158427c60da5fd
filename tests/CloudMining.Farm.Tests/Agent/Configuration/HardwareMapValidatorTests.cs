using CloudMining.Farm.Agent.Configuration;
using Xunit;

namespace CloudMining.Farm.Tests.Agent.Configuration;

public sealed class HardwareMapValidatorTests
{
    private static AgentOptions WithRelays(params RelayOptions[] relays)
    {
        var o = new AgentOptions { RackId = "A-07", Site = "test" };
        for (int i = 1; i <= 4; i++)
        {
            o.Miners.Add(new MinerOptions { Id = $"S19-0{i}", Address = $"10.0.0.{i}" });
        }

        foreach (RelayOptions r in relays)
        {
            o.Hardware.Relays.Add(r);
        }

        return o;
    }

    private static RelayOptions Relay(string outlet, string miner, int line) => new() { Outlet = outlet, Miner = miner, Line = line };

    [Fact]
    public void A_consistent_map_passes()
    {
        Assert.Empty(AgentOptionsValidator.Check(WithRelays(Relay("PDU-A/1", "S19-01", 4), Relay("PDU-A/2", "S19-02", 5))));
    }

    [Fact]
    public void Duplicate_line_names_both_entries()
    {
        AgentOptions o = WithRelays(Relay("PDU-A/1", "S19-01", 4), Relay("PDU-A/2", "S19-02", 7), Relay("PDU-A/3", "S19-03", 5), Relay("PDU-A/4", "S19-04", 7));
        string error = Assert.Single(AgentOptionsValidator.Check(o));
        Assert.Equal("Agent:Hardware:Relays:3:Line: 7 is also used by Relays:1 (PDU-A/2); each relay has its own line — check the wiring.", error);
    }

    [Fact]
    public void Duplicate_outlet_unknown_miner_second_relay_and_negative_line_are_each_named()
    {
        AgentOptions o = WithRelays(
            Relay("PDU-A/1", "S19-01", 1),
            Relay("pdu-a/1", "S19-02", 2),
            Relay("PDU-A/3", "S19-99", 3),
            Relay("PDU-A/4", "S19-01", 4),
            Relay("PDU-A/5", "S19-03", -1));
        List<string> errors = AgentOptionsValidator.Check(o);

        Assert.Equal(4, errors.Count);
        Assert.StartsWith("Agent:Hardware:Relays:1:Outlet: 'pdu-a/1' is also used by Relays:0", errors[0], StringComparison.Ordinal);
        Assert.StartsWith("Agent:Hardware:Relays:2:Miner: 'S19-99' is not a miner id in Agent:Miners; write one of S19-01, S19-02, S19-03, S19-04", errors[1], StringComparison.Ordinal);
        Assert.StartsWith("Agent:Hardware:Relays:3:Miner: 'S19-01' is already fed by Relays:0 (PDU-A/1)", errors[2], StringComparison.Ordinal);
        Assert.StartsWith("Agent:Hardware:Relays:4:Line: -1 is missing", errors[3], StringComparison.Ordinal);
    }

    [Fact]
    public void Relays_without_a_gpio_chip_are_refused()
    {
        AgentOptions o = WithRelays(Relay("PDU-A/1", "S19-01", 1));
        o.Hardware.GpioChip = " ";
        Assert.StartsWith("Agent:Hardware:GpioChip: is empty but Agent:Hardware:Relays lists 1 relay(s)", Assert.Single(AgentOptionsValidator.Check(o)), StringComparison.Ordinal);

        o.Hardware.GpioChip = "gpiochip0";
        Assert.StartsWith("Agent:Hardware:GpioChip: 'gpiochip0' is not a device path", Assert.Single(AgentOptionsValidator.Check(o)), StringComparison.Ordinal);
    }

    [Fact]
    public void Relay_and_watchdog_timing_out_of_range_is_refused()
    {
        AgentOptions o = WithRelays();
        o.Power.MaxConcurrentCycles = 0;
        o.Power.MinOffTime = TimeSpan.FromSeconds(-1);
        o.Watchdog.Window = TimeSpan.FromSeconds(5);
        o.Watchdog.HashingBelowPercent = 150;
        List<string> errors = AgentOptionsValidator.Check(o);

        Assert.Contains(errors, e => e.StartsWith("Agent:Power:MaxConcurrentCycles: 0 is outside 1 to 100", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Agent:Power:MinOffTime: '-00:00:01' is outside", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Agent:Watchdog:Window: '00:00:05' is not longer than Agent:PollInterval", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Agent:Watchdog:HashingBelowPercent: 150 is outside 0 to 100", StringComparison.Ordinal));
    }
}
