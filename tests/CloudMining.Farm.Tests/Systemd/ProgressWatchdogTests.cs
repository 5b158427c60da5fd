using CloudMining.Farm.Systemd;
using CloudMining.Farm.Tests.Infrastructure;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace CloudMining.Farm.Tests.Systemd;

/// <summary>The progress gate, through the package's real notifier to a real datagram socket playing systemd.</summary>
[Collection(NotifySocketVariable.Name)]
public sealed class ProgressWatchdogTests : IDisposable
{
    private readonly NotifySocketListener _listener = NotifySocketListener.BindPath();
    private readonly FakeTimeProvider _time = new();
    private readonly ApplicationLifetime _lifetime = new(NullLogger<ApplicationLifetime>.Instance);
    private readonly InMemoryLoggerProvider _logs = new();

    public void Dispose() => _listener.Dispose();

    private ProgressWatchdog Start(TimeSpan watchdogInterval, TimeSpan? stallTimeout, ISystemdNotifier? notifier = null, bool useListener = true)
    {
        var watchdog = new ProgressWatchdog(
            new SystemdEnvironment { IsService = true, WatchdogInterval = watchdogInterval },
            _lifetime,
            _time,
            Options.Create(new ProgressWatchdogOptions { StallTimeout = stallTimeout }),
            _logs.CreateLogger<ProgressWatchdog>(),
            notifier ?? (useListener ? NotifySocketVariable.NotifierFor(_listener.NotifySocket) : null));
        watchdog.StartAsync(CancellationToken.None).GetAwaiter().GetResult();
        return watchdog;
    }

    [Fact]
    public void Pings_every_half_interval_while_the_loop_makes_progress()
    {
        using ProgressWatchdog watchdog = Start(TimeSpan.FromSeconds(60), stallTimeout: TimeSpan.FromSeconds(100));
        Assert.Equal(TimeSpan.FromSeconds(30), watchdog.PingInterval);

        _time.Advance(TimeSpan.FromSeconds(29));
        Assert.Empty(_listener.Drain());
        for (int i = 0; i < 5; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(15));
            watchdog.ReportProgress();
            _time.Advance(TimeSpan.FromSeconds(15));
        }

        List<string> sent = _listener.Drain();
        Assert.Equal(5, sent.Count);
        Assert.All(sent, m => Assert.Equal("WATCHDOG=1", m));
        Assert.Equal(5, watchdog.Pings);
    }

    [Fact]
    public void A_hung_loop_stops_the_pings_so_systemd_kills_it_and_progress_resumes_them()
    {
        using ProgressWatchdog watchdog = Start(TimeSpan.FromSeconds(20), stallTimeout: TimeSpan.FromSeconds(25));

        _time.Advance(TimeSpan.FromSeconds(20)); // pings at 10 s and 20 s: within 25 s of the start
        Assert.Equal(["WATCHDOG=1", "WATCHDOG=1"], _listener.Drain());

        _time.Advance(TimeSpan.FromSeconds(60)); // no progress: 30 s, 40 s … are withheld
        Assert.Empty(_listener.Drain());
        InMemoryLoggerProvider.LogRecord stalled = Assert.Single(_logs.Records, r => r.Level == LogLevel.Error);
        Assert.Contains("no progress since", stalled.Message, StringComparison.Ordinal);

        watchdog.ReportProgress();
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(["WATCHDOG=1"], _listener.Drain());
    }

    [Fact]
    public void Nothing_follows_the_start_of_shutdown()
    {
        using ProgressWatchdog watchdog = Start(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(10));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(["WATCHDOG=1"], _listener.Drain());

        _lifetime.StopApplication(); // SystemdLifetime sends STOPPING=1 here; the watchdog must be quiet from now on
        watchdog.ReportProgress();
        watchdog.ReportStatus("still here");
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.Empty(_listener.Drain());
    }

    [Fact]
    public void Status_lines_reach_systemd_on_one_line()
    {
        using ProgressWatchdog watchdog = Start(TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(100));

        watchdog.ReportStatus("polling 3 miners\n2 answering");

        Assert.Equal(["STATUS=polling 3 miners 2 answering"], _listener.Drain());
    }

    [Fact]
    public void Without_a_progress_signal_it_sends_no_ping_and_says_to_remove_WatchdogSec()
    {
        using ProgressWatchdog watchdog = Start(TimeSpan.FromSeconds(2), stallTimeout: null);
        _time.Advance(TimeSpan.FromSeconds(10));

        Assert.Null(watchdog.PingInterval);
        Assert.Empty(_listener.Drain());
        Assert.Contains(_logs.Records, r => r.Level == LogLevel.Warning && r.Message.Contains("remove WatchdogSec=", StringComparison.Ordinal));
    }

    [Fact]
    public void Outside_systemd_nothing_is_sent_and_nothing_throws()
    {
        using ProgressWatchdog watchdog = Start(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(10), useListener: false);
        watchdog.ReportStatus("ignored");
        _time.Advance(TimeSpan.FromSeconds(10));

        Assert.False(watchdog.IsEnabled);
        Assert.Null(watchdog.PingInterval);
        Assert.Empty(_listener.Drain());
    }

    [Fact]
    public void A_vanished_socket_is_logged_once_not_thrown()
    {
        string missing = Path.Combine(Path.GetTempPath(), "farm-notify-missing-" + Guid.NewGuid().ToString("N")[..8]);
        using ProgressWatchdog watchdog = Start(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(10), NotifySocketVariable.NotifierFor(missing));

        watchdog.ReportStatus("one");
        _time.Advance(TimeSpan.FromSeconds(3));

        Assert.Equal(0, watchdog.Pings);
        Assert.Single(_logs.Records, r => r.Level == LogLevel.Warning && r.Message.Contains("sd_notify failed", StringComparison.Ordinal));
    }
}
