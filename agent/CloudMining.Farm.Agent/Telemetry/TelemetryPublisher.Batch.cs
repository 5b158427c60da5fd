using CloudMining.Farm.Agent.Link;
using CloudMining.Farm.Mqtt.Messages;
using CloudMining.Farm.Shared.Wire;

namespace CloudMining.Farm.Agent.Telemetry;

/// <summary>Agent:Telemetry:Batch: a cycle's readings as one telemetry batch per rack (docs/mqtt-contract.md, "Telemetry batch").</summary>
public sealed partial class TelemetryPublisher
{
    /// <summary>Adds <paramref name="readings"/> (null: batching is off) to <paramref name="outgoing"/> as one batch, or several past 1,000 miners or 512 KiB.</summary>
    private void AddTelemetryBatches(List<MinerTelemetryPayload>? readings, MqttQualityOfServiceLevel qos, List<AgentOutgoingMessage> outgoing, DateTimeOffset now)
    {
        if (readings is not { Count: > 0 })
        {
            return;
        }

        // Sequence numbers are stamped by the link as each message goes out, like every other message of the agent.
        string topic = FarmTopics.TelemetryBatch(_options.Site, _options.RackId);
        foreach (TelemetryBatchPayload batch in TelemetryBatchPayload.From(readings, _options.Site, _options.RackId, _link.PublisherId, now))
        {
            outgoing.Add(new AgentOutgoingMessage(topic, batch, qos));
        }
    }
}
