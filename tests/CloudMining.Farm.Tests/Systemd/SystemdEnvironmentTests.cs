using CloudMining.Farm.Systemd;
using Microsoft.Extensions.Hosting.Systemd;
using Xunit;

namespace CloudMining.Farm.Tests.Systemd;

[Collection(NotifySocketVariable.Name)]
public sealed class SystemdEnvironmentTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(5);

    [Fact]
    public void Outside_systemd_there_is_no_watchdog_and_no_journal()
    {
        SystemdEnvironment env = SystemdEnvironment.From(_ => null, 1234);

        Assert.False(env.IsService);
        Assert.Null(env.WatchdogInterval);
        Assert.False(env.JournalStream);
        Assert.False(SystemdHelpers.IsSystemdService(), "the test runner is not started by systemd");
    }

    [Theory]
    [InlineData("30000000", null, 30.0)]
    [InlineData("30000000", "4242", 30.0)]
    [InlineData("30000000", "1", null)]
    [InlineData("0", null, null)]
    [InlineData("soon", null, null)]
    public void Watchdog_interval_comes_from_WATCHDOG_USEC_for_the_watched_process_only(string usec, string? pid, double? seconds)
    {
        var vars = new Dictionary<string, string?> { ["WATCHDOG_USEC"] = usec, ["WATCHDOG_PID"] = pid, ["JOURNAL_STREAM"] = "8:1234" };
        SystemdEnvironment env = SystemdEnvironment.From(k => vars.GetValueOrDefault(k), 4242);

        Assert.Equal(seconds, env.WatchdogInterval?.TotalSeconds);
        Assert.True(env.JournalStream);
    }

    [Theory]
    [InlineData("4242", true)]
    [InlineData("1", false)]
    [InlineData("", false)]
    [InlineData("x", false)]
    public void SYSTEMD_EXEC_PID_naming_this_process_makes_it_a_service_even_where_proc_is_hidden(string execPid, bool isService)
    {
        // ProtectProc=invisible hides /proc/1/comm, which the package's own check reads (dotnet/runtime#125368).
        var vars = new Dictionary<string, string?> { ["SYSTEMD_EXEC_PID"] = execPid };

        Assert.Equal(isService, SystemdEnvironment.From(k => vars.GetValueOrDefault(k), 4242).IsService);
    }

    /// <summary>What every other systemd test stands on: the package's notifier honours NOTIFY_SOCKET, a path or an '@' abstract name.</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_packages_notifier_reaches_the_socket_named_in_NOTIFY_SOCKET(bool abstractSocket)
    {
        using NotifySocketListener listener = abstractSocket ? NotifySocketListener.BindAbstract() : NotifySocketListener.BindPath();
        SystemdNotifier notifier = NotifySocketVariable.NotifierFor(listener.NotifySocket);
        Assert.True(notifier.IsEnabled);

        notifier.Notify(ServiceState.Ready);
        notifier.Notify(ServiceState.Stopping);

        Assert.Equal("READY=1", await listener.ReceiveAsync(Patience));
        Assert.Equal("STOPPING=1", await listener.ReceiveAsync(Patience));
        Assert.False(NotifySocketVariable.NotifierFor(null).IsEnabled);
    }
}
