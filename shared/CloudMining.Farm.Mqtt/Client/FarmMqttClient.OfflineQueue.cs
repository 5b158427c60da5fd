using CloudMining.Farm.Mqtt.Exceptions;
using CloudMining.Farm.Mqtt.Messages;
using CloudMining.Farm.Mqtt.OfflineQueue;

namespace CloudMining.Farm.Mqtt.Client;

/// <summary>Store and forward: with an offline queue every publish goes to disk first and a pump sends it in order.</summary>
public sealed partial class FarmMqttClient
{
    private void OpenOfflineQueue()
    {
        lock (_gate)
        {
            if (_options.OfflineQueue is null || _offlineQueue is not null)
            {
                return;
            }

            _offlineQueue = MqttOfflineJournal.Open(_options.OfflineQueue, _logger);
            _pumpTask = Task.Run(() => PumpAsync(_offlineQueue, _lifetime.Token), CancellationToken.None);
        }
    }

    // One batch at a time, up to the in-flight window: the batch is committed (checkpointed) only once every
    // message of it is acknowledged, so a crash at any point re-sends rather than loses.
    private async Task PumpAsync(MqttOfflineJournal queue, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                await queue.WaitForRecordsAsync(cancellationToken).ConfigureAwait(false);
                await WaitConnectedAsync(cancellationToken).ConfigureAwait(false);
                MqttOfflineQueueBatch batch = queue.TakeBatch(_options.MaxInflight);
                var acknowledgements = new List<Task>(batch.Records.Count);
                foreach (MqttOfflineQueueRecord record in batch.Records)
                {
                    // Queued before the limit existed (or under a larger one): sending it would only get us disconnected, forever.
                    if (TooLarge(record.Message) is { } tooLarge)
                    {
                        LogQueuedDropped(_logger, tooLarge);
                        continue;
                    }

                    if (record.Message.Qos == MqttQualityOfServiceLevel.AtMostOnce)
                    {
                        await SendQueuedQos0Async(record.Message, cancellationToken).ConfigureAwait(false);
                    }
                    else
                    {
                        acknowledgements.Add(AcknowledgedOrRefusedAsync(SendQos1(record.Message)));
                    }
                }

                await Task.WhenAll(acknowledgements).WaitAsync(cancellationToken).ConfigureAwait(false);
                queue.Commit(batch);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
#pragma warning disable CA1031 // The pump must report, not vanish silently; the queue on disk keeps the messages.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogPumpStopped(_logger, ex, _endpoint);
        }
    }

    // A message the broker refused (already logged as an error with topic and user) is done: re-sending it would be
    // refused again and hold up everything queued behind it.
    private static async Task AcknowledgedOrRefusedAsync(Task acknowledged)
    {
        try
        {
            await acknowledged.ConfigureAwait(false);
        }
        catch (MqttPublishRefusedException)
        {
        }
    }

    private async Task SendQueuedQos0Async(MqttApplicationMessage message, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                await PublishQos0Async(message, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (MqttClientNotConnectedException)
            {
                await WaitConnectedAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
