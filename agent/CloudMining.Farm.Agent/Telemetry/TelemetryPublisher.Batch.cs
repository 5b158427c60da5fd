using CloudMining.Farm.Mqtt.Messages;
using CloudMining.Farm.Shared.Wire;

namespace CloudMining.Farm.Agent.Telemetry;

/// <summary>Agent:Telemetry:Batch: a cycle's readings as one telemetry batch per rack (docs/mqtt-contract.md, "Telemetry batch").</summary>
public sealed partial class TelemetryPublisher
{
    /// <summary>Publishes <paramref name="readings"/> (null: batching is off) as one batch, or several past 500 miners or 512 KiB.</summary>
    private async Task PublishBatchAsync(List<MinerTelemetryPayload>? readings, MqttQualityOfServiceLevel qos, CancellationToken cancellationToken)
    {
        if (readings is not { Count: > 0 })
        {
            return;
        }

        string topic = FarmTopics.TelemetryBatch(_options.Site, _options.RackId);
        foreach (TelemetryBatchPayload batch in TelemetryBatchPayload.From(readings, _options.Site, _options.RackId, _publisher, _sequence!.Next, _time.GetUtcNow()))
        {
            await PublishAsync(topic, batch, FarmJsonContext.Default.TelemetryBatchPayload, qos, retain: false, cancellationToken);
        }
    }
}
