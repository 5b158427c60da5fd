using CloudMining.Farm.Agent.Link;
using CloudMining.Farm.Agent.Polling;
using CloudMining.Farm.Mqtt.Messages;
using CloudMining.Farm.Shared.Wire;

namespace CloudMining.Farm.Agent.Telemetry;

/// <summary>What one poll cycle becomes on the wire: telemetry per answering miner, state changes, events.</summary>
public sealed partial class TelemetryPublisher
{
    // In the order they were published one by one before: per miner its telemetry, then its state change and event.
    // Handed to the link in batches, so the cost per message is serialization and a write, not a disk flush.
    private async Task PublishCycleAsync(PollCycleCompletedEventArgs cycle, CancellationToken cancellationToken)
    {
        var telemetryQos = _options.Mqtt.TelemetryQos == 0 ? MqttQualityOfServiceLevel.AtMostOnce : MqttQualityOfServiceLevel.AtLeastOnce;
        var batch = new List<AgentOutgoingMessage>(Math.Min(BatchSize + 3, cycle.Miners.Count + 3));
        DateTimeOffset now = _time.GetUtcNow();
        List<MinerTelemetryPayload>? readings = _options.Telemetry.Batch ? [] : null;
        foreach (MinerPollStatus miner in cycle.Miners)
        {
            // Only a reading from this cycle: a stale snapshot kept after failures must not look like fresh telemetry.
            if (miner.Snapshot is { } snapshot && miner.LastSuccessAt >= cycle.Cycle.StartedAt)
            {
                MinerTelemetryPayload payload = MinerTelemetryPayload.From(snapshot, _options.Site, _options.RackId, miner.MinerId, _link.PublisherId, 0, now);
                if (readings is not null)
                {
                    readings.Add(payload);
                }
                else
                {
                    batch.Add(new AgentOutgoingMessage(FarmTopics.MinerTelemetry(_options.Site, _options.RackId, miner.MinerId), payload, telemetryQos));
                }
            }

            AddStateChange(miner, batch, now);
            if (batch.Count >= BatchSize)
            {
                await _link.PublishManyAsync(batch, cancellationToken);
                batch.Clear();
            }
        }

        AddTelemetryBatches(readings, telemetryQos, batch, now);
        await _link.PublishManyAsync(batch, cancellationToken);
    }

    // The reason starts with the agent's detailed state so "unreachable" still says timeout, refused or garbled.
    private static string Reason(MinerPollStatus miner)
    {
        string state = miner.State.ToString();
        return miner.Reason.StartsWith(state, StringComparison.OrdinalIgnoreCase) ? miner.Reason : $"{state}: {miner.Reason}";
    }

    private void AddStateChange(MinerPollStatus miner, List<AgentOutgoingMessage> batch, DateTimeOffset now)
    {
        if (miner.State.ToWireState() is not { } state)
        {
            return;
        }

        // The kept snapshot's serial: an unreachable miner is still the machine it was.
        string? serial = MinerSerial.Normalize(miner.Snapshot?.Identity.Serial);
        MinerState? previous = _lastStates.TryGetValue(miner.MinerId, out MinerState last) ? last : null;
        bool serialChanged = serial is not null && !string.Equals(serial, _lastSerials.GetValueOrDefault(miner.MinerId), StringComparison.Ordinal);
        bool refreshDue = !_lastStateSentAt.TryGetValue(miner.MinerId, out DateTimeOffset sentAt) || now - sentAt >= StateRefreshInterval;
        if (previous == state && !serialChanged && !refreshDue)
        {
            return;
        }

        _lastStates[miner.MinerId] = state;
        _lastStateSentAt[miner.MinerId] = now;
        if (serial is not null)
        {
            _lastSerials[miner.MinerId] = serial;
        }

        var change = new MinerStatePayload
        {
            Publisher = _link.PublisherId,
            Seq = 0,
            Timestamp = now,
            Site = _options.Site,
            Rack = _options.RackId,
            MinerId = miner.MinerId,
            State = state,
            PreviousState = previous,
            Reason = Reason(miner),
            Serial = serial,
        };
        batch.Add(new AgentOutgoingMessage(FarmTopics.MinerState(_options.Site, _options.RackId, miner.MinerId), change, MqttQualityOfServiceLevel.AtLeastOnce));
        if (previous == state)
        {
            // Same state again: a new serial (the machine at this id was swapped) or the periodic refresh, so a
            // controller that restarted learns state and serial; no alarm, the state did not change.
            return;
        }

        string events = FarmTopics.Events(_options.Site, _options.RackId);
        if (state == MinerState.Unreachable)
        {
            batch.Add(new AgentOutgoingMessage(events, _link.Event("alarm", "warning", "miner-unreachable", miner.MinerId, change.Reason), MqttQualityOfServiceLevel.AtLeastOnce));
        }
        else if (previous == MinerState.Unreachable)
        {
            batch.Add(new AgentOutgoingMessage(events, _link.Event("alarm", "info", "miner-recovered", miner.MinerId, change.Reason), MqttQualityOfServiceLevel.AtLeastOnce));
        }
    }
}
