using CloudMining.Farm.Systemd;
using Xunit;

namespace CloudMining.Farm.Tests.Systemd;

public sealed class SystemdNotifierTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task Messages_reach_a_path_socket_in_the_order_sent()
    {
        using NotifySocketListener listener = NotifySocketListener.BindPath();
        using var notifier = new SystemdNotifier(listener.NotifySocket);
        Assert.True(notifier.IsEnabled);

        notifier.Notify(ServiceState.Ready);
        notifier.Notify(ServiceState.Status("polling 3 miners"));
        notifier.Notify(ServiceState.Watchdog);
        notifier.Notify(ServiceState.Stopping);

        Assert.Equal("READY=1", await listener.ReceiveAsync(Patience));
        Assert.Equal("STATUS=polling 3 miners", await listener.ReceiveAsync(Patience));
        Assert.Equal("WATCHDOG=1", await listener.ReceiveAsync(Patience));
        Assert.Equal("STOPPING=1", await listener.ReceiveAsync(Patience));
        Assert.False(notifier.Failed);
    }

    [Fact]
    public async Task An_abstract_socket_name_with_a_leading_at_sign_is_reached()
    {
        using NotifySocketListener listener = NotifySocketListener.BindAbstract();
        Assert.StartsWith("@", listener.NotifySocket, StringComparison.Ordinal);
        using var notifier = new SystemdNotifier(listener.NotifySocket);

        notifier.Notify(ServiceState.Ready);

        Assert.Equal("READY=1", await listener.ReceiveAsync(Patience));
    }

    [Fact]
    public void Without_NOTIFY_SOCKET_the_notifier_is_off_and_sending_is_harmless()
    {
        SystemdEnvironment env = SystemdEnvironment.From(_ => null, 1234);
        Assert.Null(env.NotifySocket);
        Assert.Null(env.WatchdogInterval);
        Assert.False(env.JournalStream);

        using var notifier = new SystemdNotifier(env.NotifySocket);
        Assert.False(notifier.IsEnabled);
        notifier.Notify(ServiceState.Ready);
        Assert.False(notifier.Failed);
        Assert.Null(notifier.LastError);
    }

    [Fact]
    public void A_vanished_socket_is_recorded_not_thrown()
    {
        string path = Path.Combine(Path.GetTempPath(), "farm-notify-missing-" + Guid.NewGuid().ToString("N")[..8]);
        using var notifier = new SystemdNotifier(path);

        notifier.Notify(ServiceState.Ready);

        Assert.True(notifier.Failed);
        Assert.Contains(path, notifier.LastError, StringComparison.Ordinal);
    }

    [Fact]
    public void Status_text_stays_on_one_line()
    {
        Assert.Equal("STATUS=a b", ServiceState.Status("a\nb").ToString());
    }

    [Theory]
    [InlineData("30000000", null, 30.0)]
    [InlineData("30000000", "4242", 30.0)]
    [InlineData("30000000", "1", null)]
    [InlineData("0", null, null)]
    [InlineData("soon", null, null)]
    public void Watchdog_interval_comes_from_WATCHDOG_USEC_for_the_watched_process_only(string usec, string? pid, double? seconds)
    {
        var vars = new Dictionary<string, string?> { ["NOTIFY_SOCKET"] = "/run/systemd/notify", ["WATCHDOG_USEC"] = usec, ["WATCHDOG_PID"] = pid, ["JOURNAL_STREAM"] = "8:1234" };
        SystemdEnvironment env = SystemdEnvironment.From(k => vars.GetValueOrDefault(k), 4242);

        Assert.Equal(seconds, env.WatchdogInterval?.TotalSeconds);
        Assert.Equal("/run/systemd/notify", env.NotifySocket);
        Assert.True(env.JournalStream);
    }
}
