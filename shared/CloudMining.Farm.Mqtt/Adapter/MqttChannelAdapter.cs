using CloudMining.Farm.Mqtt.Formatter;
using CloudMining.Farm.Mqtt.Packets;

namespace CloudMining.Farm.Mqtt.Adapter;

/// <summary>Turns the broker byte stream into packets (reads) and pushes encoded bytes out (writes).</summary>
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
            if (end > start && MqttPacketDecoder.TryDecode(buffer.AsSpan(start, end - start), out MqttPacket? packet, out int consumed, maxPacketSize))
            {
                start += consumed;
                if (start == end)
                {
                    start = end = 0;
                }

                return packet;
            }

            if (end == buffer.Length)
            {
                if (start > 0)
                {
                    Buffer.BlockCopy(buffer, start, buffer, 0, end - start);
                    end -= start;
                    start = 0;
                }
                else
                {
                    Array.Resize(ref buffer, buffer.Length * 2);
                }
            }

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
}
