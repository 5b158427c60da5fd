using System.Buffers;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using MQTTnet.Channel;

namespace CloudMining.Farm.Mqtt.Client;

/// <summary>
/// MQTTnet's TCP channel with its reads served from a buffer. MQTTnet 5.2 reads every packet in three or more small
/// reads (the 2-byte fixed header, each further remaining-length byte alone, then the body in 4 KB chunks), one socket
/// receive each; at tens of thousands of messages a second those system calls were a large part of the controller's
/// ingest. Here one receive fills up to <see cref="BufferSize"/> bytes and the small reads are copies. MQTTnet's
/// receive loop is the only reader, so reads are never concurrent; writes and everything else pass through.
/// </summary>
internal sealed class BufferedReadChannel(IMqttChannel inner) : IMqttChannel
{
    /// <summary>Bytes one socket receive may fill: several typical messages (1–2 KB each), small beside the socket buffer.</summary>
    public const int BufferSize = 64 * 1024;

    private readonly IMqttChannel _inner = inner ?? throw new ArgumentNullException(nameof(inner));
    private readonly byte[] _buffer = new byte[BufferSize];
    private int _start;
    private int _end;

    public X509Certificate2 ClientCertificate => _inner.ClientCertificate;

    public EndPoint RemoteEndPoint => _inner.RemoteEndPoint;

    public EndPoint LocalEndPoint => _inner.LocalEndPoint;

    public bool IsSecureConnection => _inner.IsSecureConnection;

    public Task ConnectAsync(CancellationToken cancellationToken) => _inner.ConnectAsync(cancellationToken);

    public Task DisconnectAsync(CancellationToken cancellationToken) => _inner.DisconnectAsync(cancellationToken);

    public Task WriteAsync(ReadOnlySequence<byte> buffer, bool isEndOfPacket, CancellationToken cancellationToken) =>
        _inner.WriteAsync(buffer, isEndOfPacket, cancellationToken);

    public Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        if (_end > _start)
        {
            return Task.FromResult(CopyOut(buffer, offset, count));
        }

        // A read as large as the buffer gains nothing from it.
        return count >= BufferSize ? _inner.ReadAsync(buffer, offset, count, cancellationToken) : FillAndCopyAsync(buffer, offset, count, cancellationToken);
    }

    public void Dispose() => _inner.Dispose();

    private async Task<int> FillAndCopyAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        int read = await _inner.ReadAsync(_buffer, 0, _buffer.Length, cancellationToken).ConfigureAwait(false);
        if (read <= 0)
        {
            return read;
        }

        _start = 0;
        _end = read;
        return CopyOut(buffer, offset, count);
    }

    private int CopyOut(byte[] buffer, int offset, int count)
    {
        int n = Math.Min(count, _end - _start);
        Buffer.BlockCopy(_buffer, _start, buffer, offset, n);
        _start += n;
        return n;
    }
}
