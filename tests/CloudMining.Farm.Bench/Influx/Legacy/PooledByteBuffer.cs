using System.Buffers;

namespace CloudMining.Farm.Bench.Influx.Legacy;

/// <summary>A growable byte buffer rented from <see cref="ArrayPool{T}"/> so serialising a batch allocates nothing once warm.</summary>
public sealed class PooledByteBuffer : IBufferWriter<byte>, IDisposable
{
    private byte[] _array;
    private int _length;

    public PooledByteBuffer(int initialCapacity = 64 * 1024)
    {
        _array = ArrayPool<byte>.Shared.Rent(Math.Max(initialCapacity, 256));
    }

    /// <summary>Bytes written so far.</summary>
    public int Length => _length;

    /// <summary>The written bytes; valid until the next write, <see cref="Reset"/> or <see cref="Dispose"/>.</summary>
    public ReadOnlyMemory<byte> WrittenMemory => _array.AsMemory(0, _length);

    /// <summary>The written bytes as a span; same lifetime as <see cref="WrittenMemory"/>.</summary>
    public ReadOnlySpan<byte> WrittenSpan => _array.AsSpan(0, _length);

    public void Advance(int count)
    {
        if (count < 0 || _length + count > _array.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(count), count, "Advanced past the span handed out.");
        }

        _length += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _array.AsMemory(_length);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _array.AsSpan(_length);
    }

    /// <summary>Forgets the content but keeps the rented array.</summary>
    public void Reset() => _length = 0;

    /// <summary>Cuts the content back to <paramref name="length"/> bytes (used to roll back a half-written point).</summary>
    public void Truncate(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, _length);
        _length = length;
    }

    /// <summary>Copies the content into a new array owned by the caller.</summary>
    public byte[] ToArray() => WrittenSpan.ToArray();

    public void Dispose()
    {
        byte[] array = _array;
        _array = [];
        _length = 0;
        if (array.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(array);
        }
    }

    private void Ensure(int sizeHint)
    {
        int needed = Math.Max(sizeHint, 1);
        if (_array.Length - _length >= needed)
        {
            return;
        }

        ObjectDisposedException.ThrowIf(_array.Length == 0, this);
        int newSize = Math.Max(_array.Length * 2, _length + needed);
        byte[] bigger = ArrayPool<byte>.Shared.Rent(newSize);
        _array.AsSpan(0, _length).CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(_array);
        _array = bigger;
    }
}
