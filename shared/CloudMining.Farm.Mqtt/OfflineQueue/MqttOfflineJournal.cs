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
public sealed class MqttOfflineJournal : IDisposable
{
    private const int FrameHeader = 8;
    private const byte BodyVersion = 1;
    private const string CheckpointName = "checkpoint";

    private readonly MqttOfflineQueueOptions options;
    private readonly ILogger logger;
    private readonly object gate = new();
    private readonly LinkedList<MqttOfflineQueueRecord> records = new();
    private readonly SortedSet<long> segments = [];
    private readonly Channel<bool> available = System.Threading.Channels.Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private FileStream? active;
    private long activeId;
    private int handedOut;
    private long bytes;
    private long droppedCount;
    private long rejectedCount;

    private MqttOfflineJournal(MqttOfflineQueueOptions options, ILogger logger)
    {
        this.options = options;
        this.logger = logger;
    }

    /// <summary>Messages waiting (including those sent but not yet acknowledged).</summary>
    public long Count
    {
        get
        {
            lock (gate)
            {
                return records.Count;
            }
        }
    }

    /// <summary>Bytes the waiting messages occupy, the figure bounded by <see cref="MqttOfflineQueueOptions.MaxBytes"/>.</summary>
    public long Bytes => Interlocked.Read(ref bytes);

    /// <summary>Old messages discarded by the drop-oldest policy to make room.</summary>
    public long DroppedCount => Interlocked.Read(ref droppedCount);

    /// <summary>New messages refused because the queue was full (reject-new, or nothing left to drop).</summary>
    public long RejectedCount => Interlocked.Read(ref rejectedCount);

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
        lock (gate)
        {
            ObjectDisposedException.ThrowIf(active is null, this);
            if (frame.Length > options.MaxBytes)
            {
                Interlocked.Increment(ref rejectedCount);
                throw new MqttOfflineQueueFullException($"A {frame.Length}-byte message on '{message.Topic}' is larger than the whole offline queue ({options.MaxBytes} bytes).");
            }

            MakeRoom(frame.Length, message.Topic);
            if (active.Length > 0 && active.Length + frame.Length > options.SegmentBytes)
            {
                Roll();
            }

            active.Write(frame);
            active.Flush(flushToDisk: options.FsyncPolicy == MqttOfflineQueueFsyncPolicy.EveryRecord);
            records.AddLast(new MqttOfflineQueueRecord(message, activeId, active.Length, frame.Length));
            bytes += frame.Length;
        }

        available.Writer.TryWrite(true);
    }

    public void Dispose()
    {
        lock (gate)
        {
            active?.Flush(flushToDisk: true);
            active?.Dispose();
            active = null;
        }
    }

    /// <summary>Waits until there is a record not yet handed to the sender.</summary>
    internal async Task WaitForRecordsAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            lock (gate)
            {
                if (records.Count > handedOut)
                {
                    return;
                }
            }

            await available.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    internal MqttOfflineQueueBatch TakeBatch(int max)
    {
        lock (gate)
        {
            var batch = new List<MqttOfflineQueueRecord>(Math.Min(max, records.Count - handedOut));
            LinkedListNode<MqttOfflineQueueRecord>? node = records.First;
            for (int i = 0; i < handedOut && node is not null; i++)
            {
                node = node.Next;
            }

            for (; node is not null && batch.Count < max; node = node.Next)
            {
                batch.Add(node.Value);
            }

            handedOut += batch.Count;
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

        lock (gate)
        {
            foreach (MqttOfflineQueueRecord record in batch.Records)
            {
                if (records.First is { } first && ReferenceEquals(first.Value, record))
                {
                    records.RemoveFirst();
                    bytes -= record.Size;
                    handedOut--;
                }
            }

            MqttOfflineQueueRecord last = batch.Records[^1];
            WriteCheckpoint(last.SegmentId, last.EndOffset);
        }
    }

    private void MakeRoom(int needed, string topic)
    {
        while (bytes + needed > options.MaxBytes)
        {
            LinkedListNode<MqttOfflineQueueRecord>? victim = records.First;
            for (int i = 0; i < handedOut && victim is not null; i++)
            {
                victim = victim.Next;
            }

            if (options.FullPolicy == MqttOfflineQueueFullPolicy.RejectNew || victim is null)
            {
                Interlocked.Increment(ref rejectedCount);
                throw new MqttOfflineQueueFullException(
                    $"Offline queue in '{options.Directory}' is full ({bytes} of {options.MaxBytes} bytes); the message on '{topic}' was not queued. Raise MaxBytes or restore the broker link.");
            }

            bool wasOldest = ReferenceEquals(records.First, victim);
            records.Remove(victim);
            bytes -= victim.Value.Size;
            Interlocked.Increment(ref droppedCount);
            if (wasOldest)
            {
                // The victim was the oldest record on disk: move the checkpoint so it stays gone after a restart.
                WriteCheckpoint(victim.Value.SegmentId, victim.Value.EndOffset);
            }
        }
    }

    private void Roll()
    {
        active!.Flush(flushToDisk: true);
        active.Dispose();
        activeId++;
        active = OpenSegment(activeId);
        segments.Add(activeId);
    }

    private FileStream OpenSegment(long id) =>
        new(SegmentPath(id), FileMode.Append, FileAccess.Write, FileShare.Read, bufferSize: 0);

    private string SegmentPath(long id) => Path.Combine(options.Directory, $"seg-{id.ToString("D10", CultureInfo.InvariantCulture)}.log");

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
        Directory.CreateDirectory(options.Directory);
        foreach (string file in Directory.EnumerateFiles(options.Directory, "seg-*.log"))
        {
            string name = Path.GetFileNameWithoutExtension(file);
            if (long.TryParse(name.AsSpan(4), NumberStyles.None, CultureInfo.InvariantCulture, out long id))
            {
                segments.Add(id);
            }
        }

        (long cpSegment, long cpOffset) = ReadCheckpoint() ?? (segments.Count > 0 ? segments.Min : 1, 0);
        foreach (long id in segments.ToList())
        {
            if (id < cpSegment)
            {
                File.Delete(SegmentPath(id));
                segments.Remove(id);
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
                    logger.LogWarning(
                        "Offline queue segment {Segment} has a torn or corrupt record at offset {Offset}; truncating {Bytes} bytes",
                        segmentPath,
                        pos,
                        torn);
                    using (var truncate = new FileStream(SegmentPath(id), FileMode.Open, FileAccess.Write))
                    {
                        truncate.SetLength(pos);
                        truncate.Flush(flushToDisk: true);
                    }

                    break;
                }

                int size = FrameHeader + (int)length;
                pos += size;
                records.AddLast(new MqttOfflineQueueRecord(message, id, pos, size));
                bytes += size;
            }
        }

        activeId = segments.Count > 0 ? segments.Max : cpSegment;
        segments.Add(activeId);
        active = OpenSegment(activeId);
        while (bytes > options.MaxBytes && records.First is { } oldest && options.FullPolicy == MqttOfflineQueueFullPolicy.DropOldest)
        {
            records.RemoveFirst();
            bytes -= oldest.Value.Size;
            droppedCount++;
            WriteCheckpoint(oldest.Value.SegmentId, oldest.Value.EndOffset);
        }

        if (records.Count > 0)
        {
            int count = records.Count;
            if (logger.IsEnabled(LogLevel.Information))
            {
                logger.LogInformation("Offline queue {Directory} holds {Count} messages ({Bytes} bytes) from before the restart", options.Directory, count, bytes);
            }

            available.Writer.TryWrite(true);
        }
    }

    private (long Segment, long Offset)? ReadCheckpoint()
    {
        string path = Path.Combine(options.Directory, CheckpointName);
        if (!File.Exists(path))
        {
            return null;
        }

        byte[] data = File.ReadAllBytes(path);
        if (data.Length != 20 || Crc32.Compute(data.AsSpan(0, 16)) != BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(16)))
        {
            logger.LogWarning("Offline queue checkpoint {Path} is unreadable; replaying every segment (consumers drop duplicates by seq)", path);
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
        string path = Path.Combine(options.Directory, CheckpointName);
        string temp = path + ".tmp";
        using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0))
        {
            file.Write(data);
            file.Flush(flushToDisk: options.FsyncPolicy == MqttOfflineQueueFsyncPolicy.EveryRecord);
        }

        File.Move(temp, path, overwrite: true);
        foreach (long id in segments.Where(s => s < segment).ToList())
        {
            File.Delete(SegmentPath(id));
            segments.Remove(id);
        }
    }
}
