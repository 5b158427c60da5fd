using CloudMining.Farm.Mqtt.Exceptions;
using CloudMining.Farm.Mqtt.OfflineQueue;
using CloudMining.Farm.Mqtt.Packets;
using Microsoft.Extensions.Logging;

namespace CloudMining.Farm.Mqtt.Client;

/// <summary>Store and forward: with an offline queue every publish goes to disk first and a pump sends it in order.</summary>
public sealed partial class MqttClient
{
    private void OpenOfflineQueue()
    {
        lock (gate)
        {
            if (options.OfflineQueue is null || offlineQueue is not null)
            {
                return;
            }

            offlineQueue = MqttOfflineJournal.Open(options.OfflineQueue, logger);
            pumpTask = Task.Run(() => PumpAsync(offlineQueue, lifetime.Token), CancellationToken.None);
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
                MqttOfflineQueueBatch batch = queue.TakeBatch(options.MaxInflight);
                var acknowledgements = new List<Task>(batch.Records.Count);
                foreach (MqttOfflineQueueRecord record in batch.Records)
                {
                    // Queued before the limit existed (or under a larger one): sending it would only get us disconnected, forever.
                    if (TooLarge(record.Message) is { } tooLarge)
                    {
                        logger.LogError("Dropped a queued message: {Problem}", tooLarge);
                        continue;
                    }

                    if (record.Message.Qos == MqttQualityOfServiceLevel.AtMostOnce)
                    {
                        await SendQueuedQos0Async(record.Message, cancellationToken).ConfigureAwait(false);
                    }
                    else
                    {
                        acknowledgements.Add(SendQos1(record.Message));
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
            logger.LogError(ex, "Offline queue pump for {Endpoint} stopped; queued messages stay on disk until the next start", endpoint);
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
