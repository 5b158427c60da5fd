using CloudMining.Farm.Agent.Configuration;
using CloudMining.Farm.Agent.Telemetry;
using CloudMining.Farm.Mqtt.Client.Options;
using Xunit;

namespace CloudMining.Farm.Tests.Agent.Telemetry;

public sealed class AgentMqttClientOptionsTests
{
    [Fact]
    public void Agent_settings_become_client_options_with_tls_a_retained_will_credentials_and_the_disk_queue()
    {
        string ca = Path.GetTempFileName();
        try
        {
            var o = new AgentOptions { Site = "s1", RackId = "r07", StateDirectory = "/var/lib/farm-agent" };
            o.Mqtt.Host = "broker.farm.lan";
            o.Mqtt.CaFile = ca;
            o.Mqtt.Username = "agent-s1-r07";
            o.Mqtt.Password = "pw-never-shown";
            o.Mqtt.OfflineQueueDirectory = "queue";
            MqttClientOptions built = AgentMqttClientOptions.Build(o, "{}"u8.ToArray(), TimeProvider.System);

            Assert.Equal(8883, built.Port);
            Assert.Equal(ca, built.Tls!.CaFile);
            Assert.Equal("agent-s1-r07", built.ClientId);
            Assert.Equal("agent-s1-r07", built.Username);
            Assert.Equal("farm/v1/s1/r07/status", built.WillMessage!.Topic);
            Assert.True(built.WillMessage.Retain);
            Assert.True(built.AutoReconnect);
            Assert.Equal("/var/lib/farm-agent/queue", built.OfflineQueue!.Directory);
            Assert.Equal(MqttOfflineQueueFullPolicy.DropOldest, built.OfflineQueue.FullPolicy);
            Assert.DoesNotContain("pw-never-shown", built.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(ca);
        }
    }

    [Fact]
    public void Without_tls_settings_the_plain_port_is_used()
    {
        var o = new AgentOptions { Site = "s1", RackId = "r07", StateDirectory = "/tmp/x" };
        o.Mqtt.Host = "127.0.0.1";
        MqttClientOptions built = AgentMqttClientOptions.Build(o, "{}"u8.ToArray(), TimeProvider.System);
        Assert.Equal(1883, built.Port);
        Assert.Null(built.Tls);
        Assert.Null(built.Username);
        Assert.Equal("/tmp/x/mqtt-queue", built.OfflineQueue!.Directory);
    }
}
