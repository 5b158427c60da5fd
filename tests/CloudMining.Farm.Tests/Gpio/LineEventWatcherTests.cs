using System.Collections.Concurrent;
using CloudMining.Farm.Gpio;
using CloudMining.Farm.Gpio.Drivers.Chardev;
using CloudMining.Farm.Tests.Infrastructure;
using Xunit;

namespace CloudMining.Farm.Tests.Gpio;

/// <summary>The chardev edge watcher fed through a real kernel pipe with gpio_v2_line_event records, as a line fd would deliver them.</summary>
public sealed class LineEventWatcherTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Edges_written_to_the_fd_reach_the_callback_in_order()
    {
        (int readFd, int writeFd) = Pipe();
        var edges = new ConcurrentQueue<(PinEventTypes Kind, ulong Timestamp)>();
        Exception? failure = null;
        var watcher = new LineEventWatcher(readFd, "test-watcher", (kind, ts) => edges.Enqueue((kind, ts)), ex => Volatile.Write(ref failure, ex));
        watcher.Start();
        try
        {
            WriteEvents(writeFd, Event(GpioUapi.LineEventRisingEdge, 100), Event(GpioUapi.LineEventFallingEdge, 200));
            WriteEvents(writeFd, Event(99, 250), Event(GpioUapi.LineEventRisingEdge, 300)); // an unknown id is skipped

            Assert.True(await Eventually.TrueAsync(() => edges.Count >= 3, Deadline), $"saw {edges.Count} edges");
            Assert.Equal(
                [(PinEventTypes.Rising, 100UL), (PinEventTypes.Falling, 200UL), (PinEventTypes.Rising, 300UL)],
                edges.ToArray());
        }
        finally
        {
            watcher.Stop();
            Assert.True(await Eventually.TrueAsync(() => watcher.HasExited, Deadline), "watcher did not exit after Stop");
            Libc.Close(writeFd);
        }

        Assert.Null(Volatile.Read(ref failure));
    }

    [Fact]
    public async Task Stop_ends_the_thread_and_it_closes_the_line_fd()
    {
        (int readFd, int writeFd) = Pipe();
        Exception? failure = null;
        var watcher = new LineEventWatcher(readFd, "test-watcher", (_, _) => { }, ex => Volatile.Write(ref failure, ex));
        watcher.Start();

        watcher.Stop();

        Assert.True(await Eventually.TrueAsync(() => watcher.HasExited, Deadline), "watcher did not exit after Stop");

        // The read end is closed now, so writing to the pipe fails with EPIPE instead of filling a buffer nobody reads.
        Assert.Equal(-1, (long)TryWrite(writeFd, Event(GpioUapi.LineEventRisingEdge, 1)));
        Libc.Close(writeFd);
        Assert.Null(Volatile.Read(ref failure));
    }

    [Fact]
    public async Task Hang_up_of_the_line_is_reported_as_a_failure()
    {
        (int readFd, int writeFd) = Pipe();
        Exception? failure = null;
        var watcher = new LineEventWatcher(readFd, "test-watcher", (_, _) => { }, ex => Volatile.Write(ref failure, ex));
        watcher.Start();

        Libc.Close(writeFd); // the other end goes away, as a line fd does when its chip is unbound

        Assert.True(await Eventually.TrueAsync(() => watcher.HasExited, Deadline), "watcher did not exit on hang-up");
        GpioChipException ex = Assert.IsType<GpioChipException>(Volatile.Read(ref failure));
        Assert.Contains("reopen the pin", ex.Message, StringComparison.Ordinal);
    }

    private static GpioV2LineEvent Event(uint id, ulong timestamp) => new() { Id = id, TimestampNs = timestamp, Offset = 4 };

    private static unsafe nint TryWrite(int fd, GpioV2LineEvent e) => Libc.Write(fd, &e, (nuint)sizeof(GpioV2LineEvent));

    private static unsafe void WriteEvents(int fd, params GpioV2LineEvent[] events)
    {
        fixed (GpioV2LineEvent* p = events)
        {
            nuint size = (nuint)(sizeof(GpioV2LineEvent) * events.Length);
            Assert.Equal((nint)size, Libc.Write(fd, p, size));
        }
    }

    private static unsafe (int Read, int Write) Pipe()
    {
        int* fds = stackalloc int[2];
        Assert.Equal(0, Libc.Pipe2(fds, Libc.OCloExec));
        return (fds[0], fds[1]);
    }
}
