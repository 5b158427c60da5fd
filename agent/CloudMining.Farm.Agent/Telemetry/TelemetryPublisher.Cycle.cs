using CloudMining.Farm.Agent.Polling;
using CloudMining.Farm.Mqtt.Messages;
using CloudMining.Farm.Shared.Wire;

namespace CloudMining.Farm.Agent.Telemetry;

/// <summary>What one poll cycle becomes on the wire: telemetry per answering miner, state changes, events.</summary>
public sealed partial class TelemetryPublisher
{
    private async Task PublishCycleAsync(PollCycleCompletedEventArgs cycle, CancellationToken cancellationToken)
    {
        var telemetryQos = _options.Mqtt.TelemetryQos == 0 ? MqttQualityOfServiceLevel.AtMostOnce : MqttQualityOfServiceLevel.AtLeastOnce;
        List<MinerTelemetryPayload>? batch = _options.Telemetry.Batch ? [] : null;
        foreach (MinerPollStatus miner in cycle.Miners)
        {
            // Only a reading from this cycle: a stale snapshot kept after failures must not look like fresh telemetry.
            if (miner.Snapshot is { } snapshot && miner.LastSuccessAt >= cycle.Cycle.StartedAt)
            {
                MinerTelemetryPayload payload = MinerTelemetryPayload.From(snapshot, _options.Site, _options.RackId, miner.MinerId, _publisher, batch is null ? _sequence!.Next() : 0, _time.GetUtcNow());
                if (batch is not null)
                {
                    batch.Add(payload);
                }
                else
                {
                    await PublishAsync(FarmTopics.MinerTelemetry(_options.Site, _options.RackId, miner.MinerId), payload, FarmJsonContext.Default.MinerTelemetryPayload, telemetryQos, retain: false, cancellationToken);
                }
            }

            await PublishStateChangeAsync(miner, cancellationToken);
        }

        await PublishBatchAsync(batch, telemetryQos, cancellationToken);
    }

    // The reason starts with the agent's detailed state so "unreachable" still says timeout, refused or garbled.
    private static string Reason(MinerPollStatus miner)
    {
        string state = miner.State.ToString();
        return miner.Reason.StartsWith(state, StringComparison.OrdinalIgnoreCase) ? miner.Reason : $"{state}: {miner.Reason}";
    }

    private async Task PublishStateChangeAsync(MinerPollStatus miner, CancellationToken cancellationToken)
    {
        if (miner.State.ToWireState() is not { } state)
        {
            return;
        }

        MinerState? previous = _lastStates.TryGetValue(miner.MinerId, out MinerState last) ? last : null;
        if (previous == state)
        {
            return;
        }

        _lastStates[miner.MinerId] = state;
        var change = new MinerStatePayload
        {
            Publisher = _publisher,
            Seq = _sequence!.Next(),
            Timestamp = _time.GetUtcNow(),
            Site = _options.Site,
            Rack = _options.RackId,
            MinerId = miner.MinerId,
            State = state,
            PreviousState = previous,
            Reason = Reason(miner),
        };
        await PublishAsync(FarmTopics.MinerState(_options.Site, _options.RackId, miner.MinerId), change, FarmJsonContext.Default.MinerStatePayload, MqttQualityOfServiceLevel.AtLeastOnce, retain: false, cancellationToken);

        if (state == MinerState.Unreachable)
        {
            await PublishAsync(FarmTopics.Events(_options.Site, _options.RackId), Event("alarm", "warning", "miner-unreachable", miner.MinerId, change.Reason), FarmJsonContext.Default.FarmEventPayload, MqttQualityOfServiceLevel.AtLeastOnce, retain: false, cancellationToken);
        }
        else if (previous == MinerState.Unreachable)
        {
            await PublishAsync(FarmTopics.Events(_options.Site, _options.RackId), Event("alarm", "info", "miner-recovered", miner.MinerId, change.Reason), FarmJsonContext.Default.FarmEventPayload, MqttQualityOfServiceLevel.AtLeastOnce, retain: false, cancellationToken);
        }
    }
}
