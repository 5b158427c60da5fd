using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using MQTTnet.Adapter;
using MQTTnet.Channel;
using MQTTnet.Exceptions;
using MQTTnet.Formatter;
using MQTTnet.Packets;

namespace CloudMining.Farm.Mqtt.Client;

/// <summary>
/// MQTTnet's channel adapter with our own packet reading. MQTTnet 5.2's <see cref="MqttChannelAdapter"/> reads every
/// packet through a chain of four async methods and three or more channel reads (the 2-byte fixed header, each further
/// remaining-length byte alone, the body in 4 KB chunks) into a body array it allocates per packet, which the decoder
/// then copies again (topic into a string, payload into an array of its own). Here one socket receive fills a buffer
/// of up to <see cref="BufferSize"/> bytes that usually holds many packets; each complete packet in it is decoded
/// straight from the buffer by MQTTnet's own decoder (which copies out everything it keeps, so the buffer is reused),
/// and a packet already in the buffer is returned as a completed task: per telemetry message no body array, no async
/// state machine, one copy less. A packet larger than the buffer gets an array of its own. Sending, connecting and
/// disconnecting are MQTTnet's adapter unchanged. MQTTnet's receive loop is the only caller of
/// <see cref="ReceivePacketAsync"/>, so reads are never concurrent.
/// </summary>
internal sealed class PacketReadingChannelAdapter : IMqttChannelAdapter
{
    /// <summary>Bytes one socket receive may fill: dozens of telemetry messages (1–2 KB each), small beside the socket buffer.</summary>
    public const int BufferSize = 64 * 1024;

    private readonly IMqttChannel _channel;
    private readonly MqttChannelAdapter _inner;
    private readonly byte[] _buffer = new byte[BufferSize];
    private int _start;
    private int _end;
    private long _bytesReceived;

    public PacketReadingChannelAdapter(IMqttChannel channel, MqttChannelAdapter inner)
    {
        _channel = channel ?? throw new ArgumentNullException(nameof(channel));
        _inner = inner ?? throw new ArgumentNullException(nameof(inner));
    }

    public long BytesReceived => Volatile.Read(ref _bytesReceived);

    public long BytesSent => _inner.BytesSent;

    public X509Certificate2 ClientCertificate => _inner.ClientCertificate;

    public EndPoint RemoteEndPoint => _inner.RemoteEndPoint;

    public EndPoint LocalEndPoint => _inner.LocalEndPoint;

    public bool IsSecureConnection => _inner.IsSecureConnection;

    public MqttPacketFormatterAdapter PacketFormatterAdapter => _inner.PacketFormatterAdapter;

    public Task ConnectAsync(CancellationToken cancellationToken) => _inner.ConnectAsync(cancellationToken);

    public Task DisconnectAsync(CancellationToken cancellationToken) => _inner.DisconnectAsync(cancellationToken);

    public Task SendPacketAsync(MqttPacket packet, CancellationToken cancellationToken) => _inner.SendPacketAsync(packet, cancellationToken);

    public void ResetStatistics()
    {
        _inner.ResetStatistics();
        Volatile.Write(ref _bytesReceived, 0);
    }

    public void Dispose() => _inner.Dispose();

    /// <summary>The next packet; null when the connection closed or the read was cancelled (as MQTTnet's adapter answers).</summary>
    public Task<MqttPacket> ReceivePacketAsync(CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromResult<MqttPacket>(null!);
        }

        try
        {
            if (TryDecodeBuffered(out MqttPacket packet))
            {
                return Task.FromResult(packet);
            }
        }
        catch (Exception ex) when (Translate(ex) is { } translated)
        {
            return Task.FromException<MqttPacket>(translated);
        }

        return ReceiveSlowAsync(cancellationToken);
    }

    private async Task<MqttPacket> ReceiveSlowAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                if (TryDecodeBuffered(out MqttPacket packet))
                {
                    return packet;
                }

                if (HeaderOfBuffered() is { } header && header.HeaderLength + header.BodyLength > _buffer.Length)
                {
                    return await ReceiveLargeAsync(header.Flags, header.HeaderLength, header.BodyLength, cancellationToken).ConfigureAwait(false);
                }

                // Keep the partial packet at the front and fill the rest.
                if (_start > 0)
                {
                    Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                    _end -= _start;
                    _start = 0;
                }

                int read = await _channel.ReadAsync(_buffer, _end, _buffer.Length - _end, cancellationToken).ConfigureAwait(false);
                if (read <= 0 || cancellationToken.IsCancellationRequested)
                {
                    return null!;
                }

                _end += read;
                Interlocked.Add(ref _bytesReceived, read);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
        {
            return null!;
        }
        catch (Exception ex) when (Translate(ex) is { } translated)
        {
            throw translated;
        }
    }

    /// <summary>A packet that does not fit the buffer: its body in an array of its own, what was buffered first.</summary>
    private async Task<MqttPacket> ReceiveLargeAsync(byte flags, int headerLength, int bodyLength, CancellationToken cancellationToken)
    {
        var body = new byte[bodyLength];
        int have = _end - _start - headerLength;
        Buffer.BlockCopy(_buffer, _start + headerLength, body, 0, have);
        _start = _end = 0;
        while (have < bodyLength)
        {
            int read = await _channel.ReadAsync(body, have, bodyLength - have, cancellationToken).ConfigureAwait(false);
            if (read <= 0 || cancellationToken.IsCancellationRequested)
            {
                return null!;
            }

            have += read;
            Interlocked.Add(ref _bytesReceived, read);
        }

        return Decode(flags, new ArraySegment<byte>(body), headerLength + bodyLength);
    }

    private bool TryDecodeBuffered(out MqttPacket packet)
    {
        packet = null!;
        if (HeaderOfBuffered() is not { } header || _end - _start < header.HeaderLength + header.BodyLength)
        {
            return false;
        }

        var body = new ArraySegment<byte>(_buffer, _start + header.HeaderLength, header.BodyLength);
        _start += header.HeaderLength + header.BodyLength;
        if (_start == _end)
        {
            _start = _end = 0;
        }

        // MQTTnet's decoder copies out what it keeps (strings, payload, binary properties), so the buffer can be reused.
        packet = Decode(header.Flags, header.BodyLength == 0 ? new ArraySegment<byte>([]) : body, header.HeaderLength + header.BodyLength);
        return true;
    }

    private MqttPacket Decode(byte flags, ArraySegment<byte> body, int totalLength)
    {
        var received = new ReceivedMqttPacket(flags, body, totalLength);
        MqttPacketFormatterAdapter formatter = _inner.PacketFormatterAdapter;
        if (formatter.ProtocolVersion == MqttProtocolVersion.Unknown)
        {
            formatter.DetectProtocolVersion(received);
        }

        return formatter.Decode(received) ?? throw new MqttProtocolViolationException("Received malformed packet.");
    }

    /// <summary>The fixed header at the front of the buffer, or null while it is incomplete.</summary>
    private (byte Flags, int HeaderLength, int BodyLength)? HeaderOfBuffered()
    {
        int available = _end - _start;
        if (available < 2)
        {
            return null;
        }

        int length = 0;
        int multiplier = 1;
        for (int i = 1; i <= 4; i++)
        {
            if (i >= available)
            {
                return null;
            }

            byte encoded = _buffer[_start + i];
            length += (encoded & 0x7F) * multiplier;
            if ((encoded & 0x80) == 0)
            {
                return (_buffer[_start], i + 1, length);
            }

            multiplier *= 128;
        }

        throw new MqttProtocolViolationException("Remaining length is invalid.");
    }

    /// <summary>As MQTTnet's adapter wraps read failures: its own exceptions pass, socket failures become communication errors.</summary>
    private static Exception? Translate(Exception exception)
    {
        if (exception is MqttCommunicationException or MqttProtocolViolationException)
        {
            return null;
        }

        if (exception is IOException { InnerException: SocketException inner })
        {
            exception = inner;
        }

        if (exception is SocketException { SocketErrorCode: SocketError.OperationAborted })
        {
            return new OperationCanceledException();
        }

        return new MqttCommunicationException(exception);
    }
}
