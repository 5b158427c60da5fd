using System.Text;
using CloudMining.Farm.Mqtt.Client;
using CloudMining.Farm.Mqtt.Client.Options;
using CloudMining.Farm.Mqtt.OfflineQueue;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace CloudMining.Farm.Tests.Mqtt;

public sealed class MqttOfflineJournalTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("farm-journal-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Queued_messages_survive_reopening_in_order_and_committed_ones_do_not_come_back()
    {
        using (MqttOfflineJournal journal = Open())
        {
            for (int i = 0; i < 10; i++)
            {
                journal.Enqueue(Message(i));
            }

            journal.Commit(journal.TakeBatch(4));
        }

        using MqttOfflineJournal reopened = Open();
        Assert.Equal(6, reopened.Count);
        Assert.Equal(["4", "5", "6", "7", "8", "9"], Texts(reopened.TakeBatch(100)));
    }

    [Fact]
    public void A_range_is_queued_in_order_across_segments_between_single_messages_and_survives_reopening()
    {
        using (MqttOfflineJournal journal = Open(segmentBytes: 1024))
        {
            journal.Enqueue(Message(0));
            journal.EnqueueRange([.. Enumerable.Range(1, 40).Select(i => Message(i, padding: 100))]);
            journal.Enqueue(Message(41));
            journal.EnqueueRange([]);
            Assert.Equal(42, journal.Count);
        }

        Assert.True(Directory.GetFiles(_directory, "seg-*.log").Length > 3, "the range rolled over several segments");
        using MqttOfflineJournal reopened = Open(segmentBytes: 1024);
        Assert.Equal([.. Enumerable.Range(0, 42).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))], Texts(reopened.TakeBatch(100)));
    }

    [Fact]
    public void A_range_holding_a_message_larger_than_the_whole_queue_queues_none_of_it()
    {
        using MqttOfflineJournal journal = Open(maxBytes: 2048);
        journal.Enqueue(Message(0));
        Assert.Throws<MqttOfflineQueueFullException>(() => journal.EnqueueRange([Message(1), Message(2, padding: 4096), Message(3)]));
        Assert.Equal(1, journal.Count);
        Assert.Equal(1, journal.RejectedCount);
        Assert.Equal(["0"], Texts(journal.TakeBatch(100)));
    }

    [Fact]
    public void Torn_tail_after_a_crash_is_truncated_and_the_queue_keeps_working()
    {
        using (MqttOfflineJournal journal = Open())
        {
            for (int i = 0; i < 3; i++)
            {
                journal.Enqueue(Message(i));
            }
        }

        string segment = Directory.GetFiles(_directory, "seg-*.log").Single();
        long whole = new FileInfo(segment).Length;

        // What a kill -9 mid-append leaves: a length prefix promising more bytes than were written.
        using (var file = new FileStream(segment, FileMode.Append))
        {
            file.Write([0x40, 0x00, 0x00, 0x00, 0xDE, 0xAD, 0xBE, 0xEF, 0x01, 0x01]);
        }

        using (MqttOfflineJournal recovered = Open())
        {
            Assert.Equal(10, recovered.RecoveredTornBytes);
            Assert.Equal(whole, new FileInfo(segment).Length);
            Assert.Equal(3, recovered.Count);
            recovered.Enqueue(Message(3));
        }

        using MqttOfflineJournal again = Open();
        Assert.Equal(0, again.RecoveredTornBytes);
        Assert.Equal(["0", "1", "2", "3"], Texts(again.TakeBatch(100)));
    }

    [Fact]
    public void Record_with_a_bad_checksum_is_cut_off_with_everything_after_it()
    {
        using (MqttOfflineJournal journal = Open())
        {
            for (int i = 0; i < 3; i++)
            {
                journal.Enqueue(Message(i));
            }
        }

        string segment = Directory.GetFiles(_directory, "seg-*.log").Single();
        byte[] data = File.ReadAllBytes(segment);
        data[^1] ^= 0xFF; // flip the last payload byte of record 3
        File.WriteAllBytes(segment, data);

        using MqttOfflineJournal recovered = Open();
        Assert.Equal(["0", "1"], Texts(recovered.TakeBatch(100)));
        Assert.True(recovered.RecoveredTornBytes > 0);
    }

    [Fact]
    public void Drop_oldest_policy_keeps_the_newest_within_the_byte_bound_and_counts_the_drops()
    {
        using MqttOfflineJournal journal = Open(maxBytes: 2048);
        for (int i = 0; i < 100; i++)
        {
            journal.Enqueue(Message(i, padding: 100));
        }

        Assert.True(journal.Bytes <= 2048, $"{journal.Bytes} bytes");
        Assert.True(journal.DroppedCount > 0);
        Assert.Equal(100, journal.DroppedCount + journal.Count);
        string[] kept = Texts(journal.TakeBatch(1000));
        Assert.Equal("99", kept[^1]);
        Assert.Equal(kept.Select(int.Parse).Order(), kept.Select(int.Parse));
    }

    [Fact]
    public void Reject_new_policy_refuses_with_a_clear_error_and_keeps_the_old()
    {
        using MqttOfflineJournal journal = Open(maxBytes: 2048, policy: MqttOfflineQueueFullPolicy.RejectNew);
        int accepted = 0;
        MqttOfflineQueueFullException? error = null;
        for (int i = 0; i < 100 && error is null; i++)
        {
            try
            {
                journal.Enqueue(Message(i, padding: 100));
                accepted++;
            }
            catch (MqttOfflineQueueFullException ex)
            {
                error = ex;
            }
        }

        Assert.NotNull(error);
        Assert.Contains("full", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, journal.RejectedCount);
        Assert.Equal("0", Texts(journal.TakeBatch(1))[0]);
        Assert.Equal(accepted, journal.Count);
    }

    [Fact]
    public void Fully_sent_segments_are_deleted()
    {
        using MqttOfflineJournal journal = Open(segmentBytes: 1024);
        for (int i = 0; i < 50; i++)
        {
            journal.Enqueue(Message(i, padding: 100));
        }

        Assert.True(Directory.GetFiles(_directory, "seg-*.log").Length > 3);
        journal.Commit(journal.TakeBatch(1000));
        Assert.Single(Directory.GetFiles(_directory, "seg-*.log"));
        Assert.Equal(0, journal.Count);
    }

    private MqttOfflineJournal Open(long maxBytes = 1024 * 1024, MqttOfflineQueueFullPolicy policy = MqttOfflineQueueFullPolicy.DropOldest, long segmentBytes = 4096 * 1024) =>
        MqttOfflineJournal.Open(
            new MqttOfflineQueueOptions { Directory = _directory, MaxBytes = maxBytes, FullPolicy = policy, SegmentBytes = segmentBytes },
            NullLogger.Instance);

    private static MqttApplicationMessage Message(int seq, int padding = 0) =>
        new() { Topic = "farm/v1/s1/r1/events", Payload = Encoding.ASCII.GetBytes(seq.ToString(System.Globalization.CultureInfo.InvariantCulture) + new string(' ', padding)) };

    private static string[] Texts(MqttOfflineQueueBatch batch) =>
        [.. batch.Records.Select(r => Encoding.ASCII.GetString(r.Message.Payload.Span).Trim())];
}
