using CloudMining.Farm.Systemd;
using CloudMining.Farm.Tests.Infrastructure;
using Xunit;

namespace CloudMining.Farm.Tests.Systemd;

public sealed class SystemdWatchdogTests
{
    /// <summary>Counts what would have been sent.</summary>
    private sealed class RecordingNotifier : ISystemdNotifier
    {
        public List<string> Sent { get; } = [];

        public bool IsEnabled => true;

        public void Notify(ServiceState state)
        {
            lock (Sent)
            {
                Sent.Add(state.ToString());
            }
        }
    }

    [Fact]
    public void Pings_every_half_interval_while_the_loop_makes_progress()
    {
        var time = new ManualTimeProvider();
        var notifier = new RecordingNotifier();
        using var watchdog = new SystemdWatchdog(notifier, TimeSpan.FromSeconds(60), stallTimeout: TimeSpan.FromSeconds(100), time);
        watchdog.Start();
        Assert.Equal(TimeSpan.FromSeconds(30), watchdog.PingInterval);

        time.Advance(TimeSpan.FromSeconds(29));
        Assert.Empty(notifier.Sent);
        for (int i = 0; i < 5; i++)
        {
            time.Advance(TimeSpan.FromSeconds(15));
            watchdog.ReportProgress();
            time.Advance(TimeSpan.FromSeconds(15));
        }

        Assert.Equal(5, notifier.Sent.Count);
        Assert.All(notifier.Sent, m => Assert.Equal("WATCHDOG=1", m));
    }

    [Fact]
    public void A_hung_loop_stops_the_pings_so_systemd_kills_it_and_progress_resumes_them()
    {
        var time = new ManualTimeProvider();
        var notifier = new RecordingNotifier();
        using var watchdog = new SystemdWatchdog(notifier, TimeSpan.FromSeconds(20), stallTimeout: TimeSpan.FromSeconds(25), time);
        DateTimeOffset? stalledSince = null;
        int stalls = 0;
        watchdog.Stalled += (_, last) =>
        {
            stalledSince = last;
            stalls++;
        };
        DateTimeOffset started = time.GetUtcNow();
        watchdog.Start();

        time.Advance(TimeSpan.FromSeconds(20)); // pings at 10 s and 20 s: within 25 s of the start
        Assert.Equal(2, notifier.Sent.Count);

        time.Advance(TimeSpan.FromSeconds(60)); // no progress: 30 s, 40 s … are withheld
        Assert.Equal(2, notifier.Sent.Count);
        Assert.Equal(started, stalledSince);
        Assert.Equal(1, stalls);

        watchdog.ReportProgress();
        time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(3, notifier.Sent.Count);
    }

    [Fact]
    public void Stopped_watchdog_sends_nothing()
    {
        var time = new ManualTimeProvider();
        var notifier = new RecordingNotifier();
        using var watchdog = new SystemdWatchdog(notifier, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(10), time);
        watchdog.Start();
        time.Advance(TimeSpan.FromSeconds(1));
        watchdog.Stop();
        time.Advance(TimeSpan.FromSeconds(10));
        Assert.Single(notifier.Sent);
    }
}
