using System.Buffers;
using CloudMining.Farm.Mqtt.Exceptions;
using CloudMining.Farm.Mqtt.Formatter;
using CloudMining.Farm.Mqtt.Packets;
using CloudMining.Farm.Shared.Wire;
using Microsoft.Extensions.Logging;

namespace CloudMining.Farm.Mqtt.Client;

/// <summary>The three loops of a live session: socket writer, packet reader/dispatcher, keep-alive.</summary>
public sealed partial class MqttClient
{
    private async Task WriteLoopAsync(MqttClientSession s)
    {
        CancellationToken token = s.Cancellation.Token;
        try
        {
            while (true)
            {
                await wakeWriter.Reader.ReadAsync(token).ConfigureAwait(false);
                ArrayBufferWriter<byte> batch;
                TaskCompletionSource done;
                lock (gate)
                {
                    if (!ReferenceEquals(session, s))
                    {
                        return;
                    }

                    batch = outbox;
                    outbox = sending;
                    sending = batch;
                    done = drained;
                    drained = NewSignal();
                }

                if (batch.WrittenCount > 0)
                {
                    await s.Adapter.SendAsync(batch.WrittenMemory, token).ConfigureAwait(false);
                    batch.ResetWrittenCount();
                }

                done.TrySetResult();
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            await TearDownAsync(s, new MqttCommunicationException($"Writing to {endpoint} failed: {ex.Message}", ex)).ConfigureAwait(false);
        }
    }

    private async Task ReadLoopAsync(MqttClientSession s)
    {
        CancellationToken token = s.Cancellation.Token;
        try
        {
            while (true)
            {
                MqttPacket? packet = await s.Adapter.ReceivePacketAsync(token).ConfigureAwait(false)
                    ?? throw new MqttCommunicationException($"{endpoint} closed the connection.");
                s.LastReceivedTimestamp = time.GetTimestamp();
                s.PingSentTimestamp = null;
                switch (packet)
                {
                    case MqttPublishPacket publish:
                        await DeliverAsync(publish).ConfigureAwait(false);
                        break;
                    case MqttOversizedPublishPacket oversized:
                        SkipOversized(oversized);
                        break;
                    case MqttPubAckPacket ack:
                        CompleteInflight(ack.PacketIdentifier);
                        break;
                    case MqttSubAckPacket or MqttUnsubAckPacket:
                        ushort id = packet is MqttSubAckPacket sub ? sub.PacketIdentifier : ((MqttUnsubAckPacket)packet).PacketIdentifier;
                        TaskCompletionSource<MqttPacket>? waiter;
                        lock (gate)
                        {
                            requests.TryGetValue(id, out waiter);
                        }

                        waiter?.TrySetResult(packet);
                        break;
                    case MqttPingRespPacket:
                        break;
                    default:
                        throw new MqttProtocolException($"{endpoint} sent an unexpected {packet.Type} packet.");
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            Exception reason = ex is MqttCommunicationException or MqttProtocolException
                ? ex
                : new MqttCommunicationException($"Reading from {endpoint} failed: {ex.Message}", ex);
            await TearDownAsync(s, reason).ConfigureAwait(false);
        }
    }

    private async Task DeliverAsync(MqttPublishPacket publish)
    {
        if (publish.Qos == MqttQualityOfServiceLevel.ExactlyOnce)
        {
            throw new MqttProtocolException($"{endpoint} delivered a QoS 2 message on '{publish.Topic}' although this client never subscribes above QoS 1.");
        }

        var message = new MqttApplicationMessage { Topic = publish.Topic, Payload = publish.Payload, Qos = publish.Qos, Retain = publish.Retain, Dup = publish.Dup };
        if (ApplicationMessageReceivedAsync is { } handler)
        {
            try
            {
                await handler(new MqttApplicationMessageReceivedEventArgs(message, options.ClientId)).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // A faulty handler must not kill the connection; it is logged and the message acknowledged.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                logger.LogError(ex, "Message handler failed for topic {Topic}", BoundedText.Echo(publish.Topic));
            }
        }

        if (publish.Qos == MqttQualityOfServiceLevel.AtLeastOnce)
        {
            EnqueueControl(new MqttPubAckPacket(publish.PacketIdentifier));
        }
    }

    // Acknowledged like a delivered message, so a broker holding it in our persistent session (or retained) does not
    // send it again on every reconnect: one bad message must never keep the client in a loop.
    private void SkipOversized(MqttOversizedPublishPacket packet)
    {
        if (packet.Qos == MqttQualityOfServiceLevel.ExactlyOnce)
        {
            throw new MqttProtocolException($"{endpoint} delivered a QoS 2 message on '{BoundedText.Echo(packet.Topic)}' although this client never subscribes above QoS 1.");
        }

        long count = Interlocked.Increment(ref oversizedSkipped);
        if (oversizedLog.TryAcquire(out long heldBack))
        {
            logger.LogError(
                "Skipped a {Size}-byte message on {Topic}: over the {Limit}-byte packet limit; acknowledged and dropped ({Count} so far, {HeldBack} not logged since the last line)",
                packet.Size,
                BoundedText.Echo(packet.Topic),
                options.MaxPacketSize,
                count,
                heldBack);
        }

        if (packet.Qos == MqttQualityOfServiceLevel.AtLeastOnce)
        {
            EnqueueControl(new MqttPubAckPacket(packet.PacketIdentifier));
        }
    }

    private void CompleteInflight(ushort packetIdentifier)
    {
        MqttInflightMessage? entry;
        bool admitted = false;
        lock (gate)
        {
            inflight.Remove(packetIdentifier, out entry);
            while (inflight.Count < options.MaxInflight && waitingForWindow.TryDequeue(out MqttInflightMessage? next))
            {
                Admit(next);
                admitted = true;
            }
        }

        entry?.Completion.TrySetResult();
        if (admitted)
        {
            wakeWriter.Writer.TryWrite(true);
        }
    }

    private async Task KeepAliveLoopAsync(MqttClientSession s)
    {
        TimeSpan keepAlive = options.KeepAlivePeriod;
        if (keepAlive <= TimeSpan.Zero)
        {
            return;
        }

        CancellationToken token = s.Cancellation.Token;
        try
        {
            while (true)
            {
                await Task.Delay(keepAlive / 2, time, token).ConfigureAwait(false);
                if (s.PingSentTimestamp is { } sent && time.GetElapsedTime(sent) >= keepAlive)
                {
                    await TearDownAsync(s, new MqttCommunicationException(
                        $"{endpoint} did not answer a PINGREQ within the {keepAlive} keep-alive period; the link is dead.")).ConfigureAwait(false);
                    return;
                }

                if (s.PingSentTimestamp is null)
                {
                    s.PingSentTimestamp = time.GetTimestamp();
                    EnqueueControl(MqttPingReqPacket.Instance);
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
    }
}
