using System.Globalization;

namespace CloudMining.Farm.Influx.Write;

/// <summary>
/// Ordered batch files on disk (<c>{sequence:D19}.lp</c>): written atomically (temp file + rename), replayed oldest
/// first, deleted only after the server acknowledged them. Survives a restart of the process.
/// </summary>
public sealed class SpillStore
{
    private const string Extension = ".lp";
    private readonly string _directory;
    private readonly long _maxBytes;
    private readonly SortedDictionary<long, long> _files = []; // sequence -> size
    private readonly Lock _gate = new();
    private long _bytes;

    public SpillStore(string directory, long maxBytes)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        _directory = directory;
        _maxBytes = maxBytes;
        Directory.CreateDirectory(directory);
        foreach (string tmp in Directory.EnumerateFiles(directory, "*.tmp"))
        {
            // A temp file is a spill that never completed its rename: its batch is still in the previous run's memory accounting, i.e. lost with that process.
            File.Delete(tmp);
        }

        foreach (string file in Directory.EnumerateFiles(directory, "*" + Extension))
        {
            if (long.TryParse(Path.GetFileNameWithoutExtension(file), NumberStyles.None, CultureInfo.InvariantCulture, out long sequence))
            {
                long size = new FileInfo(file).Length;
                _files[sequence] = size;
                _bytes += size;
            }
        }
    }

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _files.Count;
            }
        }
    }

    public bool IsEmpty => Count == 0;

    /// <summary>The sequence after the newest file, so a new run continues the order.</summary>
    public long NextSequence
    {
        get
        {
            lock (_gate)
            {
                return _files.Count == 0 ? 0 : _files.Keys.Max() + 1;
            }
        }
    }

    /// <summary>Writes a batch; false (nothing written) when it would exceed the byte bound.</summary>
    public bool TryAdd(long sequence, ReadOnlySpan<byte> batch)
    {
        lock (_gate)
        {
            if (_bytes + batch.Length > _maxBytes)
            {
                return false;
            }

            string path = PathOf(sequence);
            string tmp = path + ".tmp";
            using (var stream = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                stream.Write(batch);
                stream.Flush(flushToDisk: true);
            }

            File.Move(tmp, path, overwrite: true);
            _files[sequence] = batch.Length;
            _bytes += batch.Length;
            return true;
        }
    }

    /// <summary>Up to <paramref name="count"/> oldest batches, read from disk, oldest first.</summary>
    public IReadOnlyList<(long Sequence, byte[] Batch)> PeekOldest(int count)
    {
        var batches = new List<(long, byte[])>(count);
        lock (_gate)
        {
            foreach (long key in _files.Keys)
            {
                if (batches.Count == count)
                {
                    break;
                }

                batches.Add((key, File.ReadAllBytes(PathOf(key))));
            }
        }

        return batches;
    }

    /// <summary>Deletes an acknowledged batch.</summary>
    public void Remove(long sequence)
    {
        lock (_gate)
        {
            if (_files.Remove(sequence, out long size))
            {
                _bytes -= size;
                File.Delete(PathOf(sequence));
            }
        }
    }

    private string PathOf(long sequence) => Path.Combine(_directory, sequence.ToString("D19", CultureInfo.InvariantCulture) + Extension);
}
