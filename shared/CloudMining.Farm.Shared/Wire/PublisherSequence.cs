using System.Globalization;

namespace CloudMining.Farm.Shared.Wire;

/// <summary>
/// The per-publisher <c>seq</c>: strictly increasing, also across restarts and kill -9. It reserves numbers in blocks
/// (writes "next block starts at N" to a file, fsynced, before handing out any number of the block), so a restart
/// skips at most one block but never repeats a number, and the disk is touched once per block, not per message.
/// </summary>
public sealed class PublisherSequence
{
    private readonly string _path;
    private readonly long _blockSize;
    private readonly object _gate = new();
    private long _next;
    private long _reservedUntil;

    public PublisherSequence(string path, long blockSize = 1000)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentOutOfRangeException.ThrowIfLessThan(blockSize, 1);
        _path = path;
        _blockSize = blockSize;
        _next = ReadReserved();
        _reservedUntil = _next;
    }

    public long Next()
    {
        lock (_gate)
        {
            if (_next >= _reservedUntil)
            {
                _reservedUntil = _next + _blockSize;
                Persist(_reservedUntil);
            }

            return _next++;
        }
    }

    private long ReadReserved()
    {
        if (!File.Exists(_path))
        {
            return 1;
        }

        string text = File.ReadAllText(_path).Trim();
        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long value) && value > 0
            ? value
            : throw new InvalidDataException($"Sequence file '{_path}' does not hold a positive number ('{text}'); restore it or set it above the last seq consumers saw.");
    }

    private void Persist(long value)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(_path))!);
        string temp = _path + ".tmp";
        using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            file.Write(System.Text.Encoding.ASCII.GetBytes(value.ToString(CultureInfo.InvariantCulture)));
            file.Flush(flushToDisk: true);
        }

        File.Move(temp, _path, overwrite: true);
    }
}
