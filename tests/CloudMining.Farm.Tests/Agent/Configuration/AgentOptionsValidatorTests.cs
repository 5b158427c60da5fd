using CloudMining.Farm.Agent.Configuration;
using Xunit;

namespace CloudMining.Farm.Tests.Agent.Configuration;

public sealed class AgentOptionsValidatorTests
{
    private static AgentOptions Valid()
    {
        var o = new AgentOptions { RackId = "A-07", Site = "test" };
        o.Miners.Add(new MinerOptions { Id = "A07-01", Address = "10.0.0.30" });
        o.Miners.Add(new MinerOptions { Id = "A07-02", Address = "10.0.0.31", NominalHashrate = "110 TH/s", Profile = "antminer-stock" });
        o.Miners.Add(new MinerOptions { Id = "A07-03", Address = "miner-3.rack.local" });
        o.Miners.Add(new MinerOptions { Id = "A07-04", Address = "fd00::4", Port = 4029 });
        return o;
    }

    [Fact]
    public void A_complete_config_passes()
    {
        Assert.Empty(AgentOptionsValidator.Check(Valid()));
    }

    [Fact]
    public void Bad_ip_address_names_the_miner_key_and_the_fix()
    {
        AgentOptions o = Valid();
        o.Miners[3].Address = "10.0.0.300";
        string error = Assert.Single(AgentOptionsValidator.Check(o));
        Assert.Equal(
            "Agent:Miners:3:Address: '10.0.0.300' is not an IPv4/IPv6 address or host name; write the miner's API address, e.g. 10.0.0.30.",
            error);
    }

    [Theory]
    [InlineData("10.1")]
    [InlineData("167772161")]
    [InlineData("bad host name!")]
    [InlineData("10.0.0.1.5")]
    public void Malformed_addresses_are_refused(string address)
    {
        Assert.False(AgentOptionsValidator.IsAddressOrHostName(address));
    }

    [Fact]
    public void Duplicate_ids_and_addresses_point_at_the_first_use()
    {
        AgentOptions o = Valid();
        o.Miners[2].Id = "a07-01";
        o.Miners[2].Address = "10.0.0.30";
        List<string> errors = AgentOptionsValidator.Check(o);
        Assert.Contains("Agent:Miners:2:Id: 'a07-01' is already used by Agent:Miners:0; give every miner its own id.", errors);
        Assert.Contains(errors, e => e.StartsWith("Agent:Miners:2:Address: 10.0.0.30:4028 is already used by Agent:Miners:0", StringComparison.Ordinal));
    }

    [Fact]
    public void Same_address_on_another_port_is_a_different_miner()
    {
        AgentOptions o = Valid();
        o.Miners[3].Address = "10.0.0.30";
        Assert.Empty(AgentOptionsValidator.Check(o));
    }

    [Fact]
    public void Unparseable_nominal_hashrate_names_the_key()
    {
        AgentOptions o = Valid();
        o.Miners[1].NominalHashrate = "fast";
        string error = Assert.Single(AgentOptionsValidator.Check(o));
        Assert.StartsWith("Agent:Miners:1:NominalHashrate: 'fast' is not a positive hashrate", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Miner_budget_longer_than_the_interval_is_refused_so_a_hung_miner_cannot_delay_the_next_cycle()
    {
        AgentOptions o = Valid();
        o.PollInterval = TimeSpan.FromSeconds(5);
        o.MinerTimeout = TimeSpan.FromSeconds(3);
        o.RetryCount = 1;
        string error = Assert.Single(AgentOptionsValidator.Check(o));
        Assert.StartsWith("Agent:MinerTimeout: 2 attempt(s) of 00:00:03", error, StringComparison.Ordinal);
        Assert.Contains("Agent:PollInterval", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_rack_and_empty_miner_list_are_both_reported()
    {
        var o = new AgentOptions();
        List<string> errors = AgentOptionsValidator.Check(o);
        Assert.Contains(errors, e => e.StartsWith("Agent:RackId:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Agent:Miners: no miners are listed", StringComparison.Ordinal));
    }

    [Fact]
    public void Circuit_breaker_threshold_below_two_is_refused()
    {
        AgentOptions o = Valid();
        o.CircuitBreaker.FailureThreshold = 1;
        Assert.StartsWith("Agent:CircuitBreaker:FailureThreshold: 1 is outside", Assert.Single(AgentOptionsValidator.Check(o)), StringComparison.Ordinal);
    }
}
