using CloudMining.Farm.Agent.Configuration;
using Xunit;

namespace CloudMining.Farm.Tests.Agent.Telemetry;

public sealed class AgentMqttOptionsValidatorTests
{
    private static AgentOptions Options()
    {
        var o = new AgentOptions { Site = "s1", RackId = "r07" };
        o.Miners.Add(new MinerOptions { Id = "m1", Address = "10.0.0.30" });
        return o;
    }

    [Fact]
    public void Mqtt_is_off_without_a_host_and_then_nothing_in_the_section_is_checked()
    {
        AgentOptions o = Options();
        o.Mqtt.TelemetryQos = 2;
        Assert.False(o.Mqtt.Enabled);
        Assert.Empty(AgentMqttOptionsValidator.Check(o));
    }

    [Fact]
    public void Bad_mqtt_settings_are_reported_with_their_keys()
    {
        AgentOptions o = Options();
        o.RackId = "r/07";
        o.Mqtt.Host = "10.0.0.300";
        o.Mqtt.Port = 70000;
        o.Mqtt.Password = "s3cret-pass";
        o.Mqtt.CaFile = "/nonexistent/ca.crt";
        o.Mqtt.TelemetryQos = 2;
        List<string> errors = AgentOptionsValidator.Check(o);
        Assert.Contains(errors, e => e.StartsWith("Agent:Mqtt:Host:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Agent:Mqtt:Port:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Agent:Mqtt:Username:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Agent:Mqtt:CaFile:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Agent:Mqtt:TelemetryQos:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Agent:RackId:", StringComparison.Ordinal) && e.Contains("topic level", StringComparison.Ordinal));
        Assert.DoesNotContain(errors, e => e.Contains("s3cret-pass", StringComparison.Ordinal));
        Assert.DoesNotContain("s3cret-pass", o.Mqtt.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("4")]
    [InlineData("3.1")]
    [InlineData("mqtt5")]
    public void A_protocol_version_the_agent_does_not_speak_is_an_error_naming_the_key(string version)
    {
        AgentOptions o = Options();
        o.Mqtt.Host = "broker";
        o.Mqtt.ProtocolVersion = version;
        string error = Assert.Single(AgentOptionsValidator.Check(o), e => e.StartsWith("Agent:Mqtt:ProtocolVersion:", StringComparison.Ordinal));
        Assert.Contains("\"5\" or \"3.1.1\"", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("5")]
    [InlineData("3.1.1")]
    public void The_two_protocol_versions_are_accepted(string version)
    {
        AgentOptions o = Options();
        o.Mqtt.Host = "broker";
        o.Mqtt.ProtocolVersion = version;
        Assert.DoesNotContain(AgentOptionsValidator.Check(o), e => e.Contains("ProtocolVersion", StringComparison.Ordinal));
    }

    [Fact]
    public void Client_id_and_queue_folder_default_to_the_rack()
    {
        AgentOptions o = Options();
        o.StateDirectory = "/var/lib/farm-agent";
        o.Mqtt.Host = "broker";
        Assert.Equal("agent-s1-r07", CloudMining.Farm.Agent.Telemetry.AgentMqttClientOptions.ClientId(o));
        Assert.Equal("/var/lib/farm-agent/mqtt-queue", CloudMining.Farm.Agent.Telemetry.AgentMqttClientOptions.QueueDirectory(o));
    }
}
