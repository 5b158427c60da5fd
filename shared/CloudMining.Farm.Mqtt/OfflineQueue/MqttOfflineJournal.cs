using System.Buffers.Binary;
using System.Globalization;
using System.Threading.Channels;
using CloudMining.Farm.Mqtt.Client;
using CloudMining.Farm.Mqtt.Client.Options;
using CloudMining.Farm.Mqtt.Messages;
using Microsoft.Extensions.Logging;

namespace CloudMining.Farm.Mqtt.OfflineQueue;

/// <summary>
/// Ordered, byte-bounded, disk-backed store-and-forward queue. Records are appended to segment files
/// (<c>seg-NNNNNNNNNN.log</c>) framed as [u32 length][u32 CRC-32][body]; a checkpoint file records how far the broker
/// has acknowledged. After a crash the tail is re-validated and a torn last record is truncated, never fatal.
/// Delivery is at-least-once: records sent but not yet checkpointed are sent again after a restart.
/// </summary>
public sealed partial class MqttOfflineJournal : IDisposable
{
    private const int FrameHeader = 8;
    private const byte BodyVersion = 1;
    private const string CheckpointName = "checkpoint";

    private readonly MqttOfflineQueueOptions _options;
    private readonly ILogger _logger;
    private readonly object _gate = new();
    private readonly LinkedList<MqttOfflineQueueRecord> _records = new();
    private readonly SortedSet<long> _segments = [];
    private readonly Channel<bool> _available = System.Threading.Channels.Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private FileStream? _active;
    private long _activeId;
    private int _handedOut;
    private long _bytes;
    private long _droppedCount;
    private long _rejectedCount;

    private MqttOfflineJournal(MqttOfflineQueueOptions options, ILogger logger)
    {
        _options = options;
        _logger = logger;
    }

    /// <summary>Messages waiting (including those sent but not yet acknowledged).</summary>
    public long Count
    {
        get
        {
            lock (_gate)
            {
                return _records.Count;
            }
        }
    }

    /// <summary>Bytes the waiting messages occupy, the figure bounded by <see cref="MqttOfflineQueueOptions.MaxBytes"/>.</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>Old messages discarded by the drop-oldest policy to make room.</summary>
    public long DroppedCount => Interlocked.Read(ref _droppedCount);

    /// <summary>New messages refused because the queue was full (reject-new, or nothing left to drop).</summary>
    public long RejectedCount => Interlocked.Read(ref _rejectedCount);

    /// <summary>Bytes of torn or corrupt records cut off while opening (a crash mid-write leaves one).</summary>
    public long RecoveredTornBytes { get; private set; }

    public static MqttOfflineJournal Open(MqttOfflineQueueOptions options, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        var queue = new MqttOfflineJournal(options, logger);
        queue.Load();
        return queue;
    }

    /// <summary>Appends durably (per the fsync policy); applies the full policy first.</summary>
    public void Enqueue(MqttApplicationMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        byte[] frame = Frame(message);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_active is null, this);
            if (frame.Length > _options.MaxBytes)
            {
                Interlocked.Increment(ref _rejectedCount);
                throw new MqttOfflineQueueFullException($"A {frame.Length}-byte message on '{message.Topic}' is larger than the whole offline queue ({_options.MaxBytes} bytes).");
            }

            MakeRoom(frame.Length, message.Topic);
            if (_active.Length > 0 && _active.Length + frame.Length > _options.SegmentBytes)
            {
                Roll();
            }

            _active.Write(frame);
            _active.Flush(flushToDisk: _options.FsyncPolicy == MqttOfflineQueueFsyncPolicy.EveryRecord);
            _records.AddLast(new MqttOfflineQueueRecord(message, _activeId, _active.Length, frame.Length));
            _bytes += frame.Length;
        }

        _available.Writer.TryWrite(true);
    }

    /// <summary>
    /// Appends several messages in order with one flush (per the fsync policy) instead of one per message: what a publisher hands over at once (a poll cycle's telemetry) costs one disk flush. A message larger than
    /// the whole queue fails the call before anything is written; under <see cref="MqttOfflineQueueFullPolicy.RejectNew"/>
    /// a full queue stops the call at the first message that does not fit (those before it stay queued).
    /// </summary>
    public void EnqueueRange(IReadOnlyList<MqttApplicationMessage> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (messages.Count == 0)
        {
            return;
        }

        var frames = new byte[messages.Count][];
        for (int i = 0; i < frames.Length; i++)
        {
            MqttApplicationMessage message = messages[i] ?? throw new ArgumentException($"messages[{i}] is null.", nameof(messages));
            frames[i] = Frame(message);
            if (frames[i].Length > _options.MaxBytes)
            {
                Interlocked.Increment(ref _rejectedCount);
                throw new MqttOfflineQueueFullException($"A {frames[i].Length}-byte message on '{message.Topic}' is larger than the whole offline queue ({_options.MaxBytes} bytes); none of the {messages.Count} messages handed over together was queued.");
            }
        }

        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_active is null, this);
            for (int i = 0; i < frames.Length; i++)
            {
                MakeRoom(frames[i].Length, messages[i].Topic);
                if (_active.Length > 0 && _active.Length + frames[i].Length > _options.SegmentBytes)
                {
                    Roll();
                }

                // No flush per record: the records become visible to the sender only after the one flush below.
                _active.Write(frames[i]);
                _records.AddLast(new MqttOfflineQueueRecord(messages[i], _activeId, _active.Length, frames[i].Length));
                _bytes += frames[i].Length;
            }

            _active.Flush(flushToDisk: _options.FsyncPolicy == MqttOfflineQueueFsyncPolicy.EveryRecord);
        }

        _available.Writer.TryWrite(true);
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _active?.Flush(flushToDisk: true);
            _active?.Dispose();
            _active = null;
        }
    }

    /// <summary>Waits until there is a record not yet handed to the sender.</summary>
    internal async Task WaitForRecordsAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            lock (_gate)
            {
                if (_records.Count > _handedOut)
                {
                    return;
                }
            }

            await _available.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    internal MqttOfflineQueueBatch TakeBatch(int max)
    {
        lock (_gate)
        {
            var batch = new List<MqttOfflineQueueRecord>(Math.Min(max, _records.Count - _handedOut));
            LinkedListNode<MqttOfflineQueueRecord>? node = _records.First;
            for (int i = 0; i < _handedOut && node is not null; i++)
            {
                node = node.Next;
            }

            for (; node is not null && batch.Count < max; node = node.Next)
            {
                batch.Add(node.Value);
            }

            _handedOut += batch.Count;
            return new MqttOfflineQueueBatch(batch);
        }
    }

    /// <summary>The batch is on the broker: forget it and move the checkpoint past it.</summary>
    internal void Commit(MqttOfflineQueueBatch batch)
    {
        if (batch.Records.Count == 0)
        {
            return;
        }

        lock (_gate)
        {
            foreach (MqttOfflineQueueRecord record in batch.Records)
            {
                if (_records.First is { } first && ReferenceEquals(first.Value, record))
                {
                    _records.RemoveFirst();
                    _bytes -= record.Size;
                    _handedOut--;
                }
            }

            MqttOfflineQueueRecord last = batch.Records[^1];
            WriteCheckpoint(last.SegmentId, last.EndOffset);
        }
    }

    private void MakeRoom(int needed, string topic)
    {
        while (_bytes + needed > _options.MaxBytes)
        {
            LinkedListNode<MqttOfflineQueueRecord>? victim = _records.First;
            for (int i = 0; i < _handedOut && victim is not null; i++)
            {
                victim = victim.Next;
            }

            if (_options.FullPolicy == MqttOfflineQueueFullPolicy.RejectNew || victim is null)
            {
                Interlocked.Increment(ref _rejectedCount);
                throw new MqttOfflineQueueFullException(
                    $"Offline queue in '{_options.Directory}' is full ({_bytes} of {_options.MaxBytes} bytes); the message on '{topic}' was not queued. Raise MaxBytes or restore the broker link.");
            }

            bool wasOldest = ReferenceEquals(_records.First, victim);
            _records.Remove(victim);
            _bytes -= victim.Value.Size;
            Interlocked.Increment(ref _droppedCount);
            if (wasOldest)
            {
                // The victim was the oldest record on disk: move the checkpoint so it stays gone after a restart.
                WriteCheckpoint(victim.Value.SegmentId, victim.Value.EndOffset);
            }
        }
    }

    private void Roll()
    {
        _active!.Flush(flushToDisk: true);
        _active.Dispose();
        _activeId++;
        _active = OpenSegment(_activeId);
        _segments.Add(_activeId);
    }

    private FileStream OpenSegment(long id) =>
        new(SegmentPath(id), FileMode.Append, FileAccess.Write, FileShare.Read, bufferSize: 0);

    private string SegmentPath(long id) => Path.Combine(_options.Directory, $"seg-{id.ToString("D10", CultureInfo.InvariantCulture)}.log");

    private static byte[] Frame(MqttApplicationMessage message)
    {
        int topicBytes = System.Text.Encoding.UTF8.GetByteCount(message.Topic);
        int bodyLength = 4 + topicBytes + message.Payload.Length;
        byte[] frame = new byte[FrameHeader + bodyLength];
        Span<byte> body = frame.AsSpan(FrameHeader);
        body[0] = BodyVersion;
        body[1] = (byte)((int)message.Qos | (message.Retain ? 4 : 0));
        BinaryPrimitives.WriteUInt16LittleEndian(body[2..], (ushort)topicBytes);
        System.Text.Encoding.UTF8.GetBytes(message.Topic, body[4..]);
        message.Payload.Span.CopyTo(body[(4 + topicBytes)..]);
        BinaryPrimitives.WriteUInt32LittleEndian(frame, (uint)bodyLength);
        BinaryPrimitives.WriteUInt32LittleEndian(frame.AsSpan(4), Crc32.Compute(body));
        return frame;
    }

    private static MqttApplicationMessage? Unframe(ReadOnlySpan<byte> body)
    {
        if (body.Length < 4 || body[0] != BodyVersion || (body[1] & ~7) != 0 || (body[1] & 3) > 1)
        {
            return null;
        }

        int topicBytes = BinaryPrimitives.ReadUInt16LittleEndian(body[2..]);
        if (4 + topicBytes > body.Length || topicBytes == 0)
        {
            return null;
        }

        return new MqttApplicationMessage
        {
            Topic = System.Text.Encoding.UTF8.GetString(body.Slice(4, topicBytes)),
            Payload = body[(4 + topicBytes)..].ToArray(),
            Qos = (MqttQualityOfServiceLevel)(body[1] & 3),
            Retain = (body[1] & 4) != 0,
        };
    }

    private void Load()
    {
        Directory.CreateDirectory(_options.Directory);
        foreach (string file in Directory.EnumerateFiles(_options.Directory, "seg-*.log"))
        {
            string name = Path.GetFileNameWithoutExtension(file);
            if (long.TryParse(name.AsSpan(4), NumberStyles.None, CultureInfo.InvariantCulture, out long id))
            {
                _segments.Add(id);
            }
        }

        (long cpSegment, long cpOffset) = ReadCheckpoint() ?? (_segments.Count > 0 ? _segments.Min : 1, 0);
        foreach (long id in _segments.ToList())
        {
            if (id < cpSegment)
            {
                File.Delete(SegmentPath(id));
                _segments.Remove(id);
                continue;
            }

            byte[] data = File.ReadAllBytes(SegmentPath(id));
            long pos = id == cpSegment ? Math.Min(cpOffset, data.Length) : 0;
            while (pos < data.Length)
            {
                MqttApplicationMessage? message = null;
                long remaining = data.Length - pos;
                uint length = remaining >= FrameHeader ? BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan((int)pos)) : 0;
                if (remaining >= FrameHeader && length <= remaining - FrameHeader)
                {
                    ReadOnlySpan<byte> body = data.AsSpan((int)pos + FrameHeader, (int)length);
                    if (Crc32.Compute(body) == BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan((int)pos + 4)))
                    {
                        message = Unframe(body);
                    }
                }

                if (message is null)
                {
                    // A kill -9 or power cut mid-append leaves a partial record; cut it off and carry on.
                    long torn = data.Length - pos;
                    string segmentPath = SegmentPath(id);
                    RecoveredTornBytes += torn;
                    LogTornRecord(_logger, segmentPath, pos, torn);
                    using (var truncate = new FileStream(SegmentPath(id), FileMode.Open, FileAccess.Write))
                    {
                        truncate.SetLength(pos);
                        truncate.Flush(flushToDisk: true);
                    }

                    break;
                }

                int size = FrameHeader + (int)length;
                pos += size;
                _records.AddLast(new MqttOfflineQueueRecord(message, id, pos, size));
                _bytes += size;
            }
        }

        _activeId = _segments.Count > 0 ? _segments.Max : cpSegment;
        _segments.Add(_activeId);
        _active = OpenSegment(_activeId);
        while (_bytes > _options.MaxBytes && _records.First is { } oldest && _options.FullPolicy == MqttOfflineQueueFullPolicy.DropOldest)
        {
            _records.RemoveFirst();
            _bytes -= oldest.Value.Size;
            _droppedCount++;
            WriteCheckpoint(oldest.Value.SegmentId, oldest.Value.EndOffset);
        }

        if (_records.Count > 0)
        {
            int count = _records.Count;
            LogRecovered(_logger, _options.Directory, count, _bytes);

            _available.Writer.TryWrite(true);
        }
    }

    private (long Segment, long Offset)? ReadCheckpoint()
    {
        string path = Path.Combine(_options.Directory, CheckpointName);
        if (!File.Exists(path))
        {
            return null;
        }

        byte[] data = File.ReadAllBytes(path);
        if (data.Length != 20 || Crc32.Compute(data.AsSpan(0, 16)) != BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(16)))
        {
            LogCheckpointUnreadable(_logger, path);
            return null;
        }

        return (BinaryPrimitives.ReadInt64LittleEndian(data), BinaryPrimitives.ReadInt64LittleEndian(data.AsSpan(8)));
    }

    // Caller holds the gate. Write-then-rename keeps the checkpoint whole whatever instant the process dies.
    private void WriteCheckpoint(long segment, long offset)
    {
        byte[] data = new byte[20];
        BinaryPrimitives.WriteInt64LittleEndian(data, segment);
        BinaryPrimitives.WriteInt64LittleEndian(data.AsSpan(8), offset);
        BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(16), Crc32.Compute(data.AsSpan(0, 16)));
        string path = Path.Combine(_options.Directory, CheckpointName);
        string temp = path + ".tmp";
        using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0))
        {
            file.Write(data);
            file.Flush(flushToDisk: _options.FsyncPolicy == MqttOfflineQueueFsyncPolicy.EveryRecord);
        }

        File.Move(temp, path, overwrite: true);
        foreach (long id in _segments.Where(s => s < segment).ToList())
        {
            File.Delete(SegmentPath(id));
            _segments.Remove(id);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Offline queue segment {Segment} has a torn or corrupt record at offset {Offset}; truncating {Bytes} bytes")]
    private static partial void LogTornRecord(ILogger logger, string segment, long offset, long bytes);

    [LoggerMessage(Level = LogLevel.Information, Message = "Offline queue {Directory} holds {Count} messages ({Bytes} bytes) from before the restart")]
    private static partial void LogRecovered(ILogger logger, string directory, int count, long bytes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Offline queue checkpoint {Path} is unreadable; replaying every segment (consumers drop duplicates by seq)")]
    private static partial void LogCheckpointUnreadable(ILogger logger, string path);
}
