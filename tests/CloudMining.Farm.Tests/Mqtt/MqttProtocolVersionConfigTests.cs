using System.Text;
using CloudMining.Farm.Agent.Configuration;
using CloudMining.Farm.Agent.Telemetry;
using CloudMining.Farm.Controller.Configuration;
using CloudMining.Farm.Mqtt.Client;
using CloudMining.Farm.Mqtt.Messages;
using CloudMining.Farm.Shared.Wire;
using CloudMining.Farm.Tests.Infrastructure;
using Xunit;

namespace CloudMining.Farm.Tests.Mqtt;

/// <summary>
/// The programs' Mqtt:ProtocolVersion setting on a real mosquitto: an agent and a controller configured "3.1.1" (or
/// "5") connect under that version — mosquitto's own connection log says so (its "p2" is 3.1.1, "p5" is MQTT 5) — and a desired
/// state and a telemetry message make the round trip between them.
/// </summary>
[Trait("Category", "Integration")]
public sealed class MqttProtocolVersionConfigTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

    [Theory]
    [InlineData("3.1.1", "p2")]
    [InlineData("5", "p5")]
    public async Task An_agent_and_a_controller_configured_with_a_protocol_version_connect_under_it_and_round_trip(string version, string levelInLog)
    {
        await using MosquittoBroker broker = await MosquittoBroker.StartAsync();
        string state = Directory.CreateTempSubdirectory("farm-mqtt-version-").FullName;
        try
        {
            var agentOptions = new AgentOptions { Site = "s1", RackId = "r07", StateDirectory = state };
            agentOptions.Mqtt.Host = broker.Host;
            agentOptions.Mqtt.Port = broker.Port;
            agentOptions.Mqtt.ProtocolVersion = version;
            Assert.Empty(AgentMqttOptionsValidator.Check(agentOptions));
            var controllerOptions = new ControllerMqttOptions { Host = broker.Host, Port = broker.Port, ClientId = "controller-v", ProtocolVersion = version };

            await using var agent = new FarmMqttClient(AgentMqttClientOptions.Build(agentOptions, "{}"u8.ToArray(), TimeProvider.System));
            await using var controller = new FarmMqttClient(controllerOptions.ToClientOptions());
            var atAgent = new MqttMessageCollector(agent);
            var atController = new MqttMessageCollector(controller);
            await agent.ConnectAsync();
            await controller.ConnectAsync();
            Assert.True((await agent.SubscribeAsync(FarmTopics.Desired("s1", "r07"))).AllGranted);
            Assert.True((await controller.SubscribeAsync(FarmTopics.Root + "/s1/+/miners/+/telemetry")).AllGranted);

            // Controller → agent (retained, QoS 1) and agent → controller (through the agent's disk queue, QoS 1).
            await controller.PublishAsync(new MqttApplicationMessage { Topic = FarmTopics.Desired("s1", "r07"), Payload = Encoding.UTF8.GetBytes("desired-" + version), Qos = MqttQualityOfServiceLevel.AtLeastOnce, Retain = true });
            await agent.PublishAsync(new MqttApplicationMessage { Topic = FarmTopics.MinerTelemetry("s1", "r07", "m1"), Payload = Encoding.UTF8.GetBytes("telemetry-" + version), Qos = MqttQualityOfServiceLevel.AtLeastOnce });

            Assert.True(await Eventually.TrueAsync(() => atAgent.Texts.Contains("desired-" + version), Wait), "the agent got the desired state");
            Assert.True(await Eventually.TrueAsync(() => atController.Texts.Contains("telemetry-" + version), Wait), "the controller got the telemetry");
            Assert.True(await Eventually.TrueAsync(() => agent.OfflineQueue!.Count == 0, Wait), "the broker acknowledged the agent's queued message");

            string log = await broker.ReadLogAsync();
            Assert.True(log.Contains($"as agent-s1-r07 ({levelInLog},", StringComparison.Ordinal), log);
            Assert.True(log.Contains($"as controller-v ({levelInLog},", StringComparison.Ordinal), log);
        }
        finally
        {
            Directory.Delete(state, recursive: true);
        }
    }
}
