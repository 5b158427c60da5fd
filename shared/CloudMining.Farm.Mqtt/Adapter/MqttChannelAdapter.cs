using CloudMining.Farm.Mqtt.Formatter;
using CloudMining.Farm.Mqtt.Packets;

namespace CloudMining.Farm.Mqtt.Adapter;

/// <summary>
/// Turns the broker byte stream into packets (reads) and pushes encoded bytes out (writes). A PUBLISH over
/// <c>maxPacketSize</c> (whole packet) is never buffered: its head is decoded, the rest read past and discarded, and
/// it comes out as an <see cref="MqttOversizedPublishPacket"/> — memory stays bounded by the limit.
/// </summary>
public sealed class MqttChannelAdapter(Stream stream, int maxPacketSize) : IAsyncDisposable
{
    private byte[] buffer = new byte[64 * 1024];
    private int start;
    private int end;

    public Stream Stream { get; } = stream;

    /// <summary>The next packet, or null when the broker closed the connection.</summary>
    public async ValueTask<MqttPacket?> ReceivePacketAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            ReadOnlySpan<byte> available = buffer.AsSpan(start, end - start);
            if (MqttPacketDecoder.TryReadFixedHeader(available, out int headerLength, out int remaining))
            {
                long size = (long)headerLength + remaining;
                if (size > maxPacketSize)
                {
                    if (MqttPacketDecoder.TryDecodePublishHead(available[0], available[headerLength..], remaining, out MqttOversizedPublishPacket? head, out int headBytes))
                    {
                        int inBuffer = Math.Min(available.Length - headerLength, remaining);
                        Advance(headerLength + inBuffer);
                        if (!await DiscardAsync(remaining - (long)inBuffer, cancellationToken).ConfigureAwait(false))
                        {
                            return null;
                        }

                        return head! with { Size = size };
                    }
                }
                else if (available.Length >= size && MqttPacketDecoder.TryDecode(available, out MqttPacket? packet, out int consumed, maxPacketSize))
                {
                    Advance(consumed);
                    return packet;
                }
            }

            MakeRoom();
            int read = await Stream.ReadAsync(buffer.AsMemory(end), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return null;
            }

            end += read;
        }
    }

    public async ValueTask SendAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        await Stream.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
        await Stream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    public ValueTask DisposeAsync() => Stream.DisposeAsync();

    private void Advance(int count)
    {
        start += count;
        if (start == end)
        {
            start = end = 0;
        }
    }

    // Before a read: compact, or grow when a packet within the limit (or an oversized PUBLISH's head, at most 64 KiB)
    // does not fit yet. Growth stops at the limit plus the fixed header, so a lying length cannot inflate memory.
    private void MakeRoom()
    {
        if (end < buffer.Length)
        {
            return;
        }

        if (start > 0)
        {
            Buffer.BlockCopy(buffer, start, buffer, 0, end - start);
            end -= start;
            start = 0;
            return;
        }

        Array.Resize(ref buffer, buffer.Length * 2);
    }

    /// <summary>Reads and drops <paramref name="count"/> bytes of the stream; false when the stream ended first.</summary>
    private async ValueTask<bool> DiscardAsync(long count, CancellationToken cancellationToken)
    {
        while (count > 0)
        {
            int read = await Stream.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, count)), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return false;
            }

            count -= read;
        }

        return true;
    }
}
