using CloudMining.Farm.Influx.LineProtocol;

namespace CloudMining.Farm.Influx.Http;

/// <summary>A write-only stream into a <see cref="PooledByteBuffer"/>, so gzip output lands in pooled memory.</summary>
internal sealed class BufferWriterStream(PooledByteBuffer buffer) : Stream
{
    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => buffer.Length;

    public override long Position
    {
        get => buffer.Length;
        set => throw new NotSupportedException();
    }

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer1)
    {
        buffer1.CopyTo(buffer.GetSpan(buffer1.Length));
        buffer.Advance(buffer1.Length);
    }
}
