using System.Text.Json;
using CloudMining.Farm.Agent.Hosting;
using CloudMining.Farm.Agent.Logging;
using CloudMining.Farm.Agent.Polling;
using CloudMining.Farm.Shared.Logging;
using CloudMining.Farm.Systemd;
using CloudMining.Farm.Tests.Agent.Polling;
using CloudMining.Farm.Tests.Infrastructure;
using CloudMining.Farm.Tests.Systemd;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using Serilog.Events;
using Xunit;

namespace CloudMining.Farm.Tests.Agent.Systemd;

[Collection(NotifySocketVariable.Name)]
public sealed class AgentSystemdNotifyTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static async Task<string> WriteConfigAsync(SimulatedRack rack)
    {
        string dir = rack.Options.StateDirectory;
        Directory.CreateDirectory(dir);
        string configPath = Path.Combine(dir, "agent.json");
        var config = new
        {
            Agent = new
            {
                Site = "sd",
                RackId = "SD-01",
                PollInterval = "00:00:10",
                MinerTimeout = "00:00:02",
                RetryCount = 0,
                StateDirectory = "state",
                ProfilesDirectory = RepoPaths.FirmwareProfiles,
                Log = new { Directory = "" },
                Miners = rack.Options.Miners.Select(m => new { m.Id, m.Address, m.Port, Profile = "auto" }).ToArray(),
            },
        };
        await File.WriteAllTextAsync(configPath, JsonSerializer.Serialize(config));
        return configPath;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_agent_sends_ready_status_watchdog_and_stopping_in_order(bool abstractSocket)
    {
        await using SimulatedRack rack = await SimulatedRack.StartAsync(miners: 2, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(2));
        string configPath = await WriteConfigAsync(rack);
        using NotifySocketListener listener = abstractSocket ? NotifySocketListener.BindAbstract() : NotifySocketListener.BindPath();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var env = new SystemdEnvironment { IsService = true, WatchdogInterval = TimeSpan.FromSeconds(2) };

        // The package's SystemdLifetime and SystemdNotifier, as under systemd; the notifier reads NOTIFY_SOCKET when built.
        using IHost host = NotifySocketVariable.With(listener.NotifySocket,
            () => AgentHost.Build(configPath, new AgentHost.Overrides { ConsoleLog = false, Time = time, Systemd = env }));
        await host.StartAsync();
        try
        {
            // READY=1 comes when the host has started, STATUS= when the first poll cycle ends: either may be first.
            var first = new List<string>();
            while (!(first.Contains("READY=1") && first.Any(m => m.StartsWith("STATUS=", StringComparison.Ordinal))))
            {
                first.Add(await listener.ReceiveAsync(Patience) ?? throw new TimeoutException("received only: " + string.Join(" | ", first)));
            }

            Assert.Equal(2, first.Count);
            string status = first.Single(m => m.StartsWith("STATUS=", StringComparison.Ordinal));
            Assert.StartsWith("STATUS=polling 2 miners, ", status, StringComparison.Ordinal);
            Assert.Contains("(cycle 1)", status, StringComparison.Ordinal);

            ProgressWatchdog watchdog = host.Services.GetRequiredService<ProgressWatchdog>();
            Assert.Equal(TimeSpan.FromSeconds(1), watchdog.PingInterval);
            time.Advance(TimeSpan.FromSeconds(1));
            Assert.Equal("WATCHDOG=1", await listener.ReceiveAsync(Patience));
        }
        finally
        {
            await host.StopAsync();
        }

        List<string> rest = await listener.ReceiveUntilAsync(m => m == "STOPPING=1", Patience);
        Assert.DoesNotContain("READY=1", rest);
        Assert.Null(await listener.ReceiveAsync(TimeSpan.FromMilliseconds(200)));
    }

    [Fact]
    public async Task Not_run_by_systemd_the_agent_sends_nothing_even_with_NOTIFY_SOCKET_set()
    {
        await using SimulatedRack rack = await SimulatedRack.StartAsync(miners: 1, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(2));
        string configPath = await WriteConfigAsync(rack);
        using NotifySocketListener listener = NotifySocketListener.BindPath();
        var env = new SystemdEnvironment { IsService = false, WatchdogInterval = TimeSpan.FromSeconds(2) };

        using IHost host = NotifySocketVariable.With(listener.NotifySocket,
            () => AgentHost.Build(configPath, new AgentHost.Overrides { ConsoleLog = false, Systemd = env }));
        await host.StartAsync();
        PollingService polling = host.Services.GetRequiredService<PollingService>();
        Assert.True(await Eventually.TrueAsync(() => polling.LastCycle is not null, Patience), "first cycle");
        await host.StopAsync();

        Assert.Null(host.Services.GetRequiredService<ProgressWatchdog>().PingInterval);
        Assert.Empty(listener.Drain());
    }

    [Fact]
    public void The_stall_timeout_covers_two_intervals_and_a_cycle_of_timeouts()
    {
        var options = new CloudMining.Farm.Agent.Configuration.AgentOptions
        {
            PollInterval = TimeSpan.FromSeconds(10),
            MinerTimeout = TimeSpan.FromSeconds(3),
            RetryCount = 1,
            RetryDelay = TimeSpan.FromMilliseconds(200),
            MaxConcurrency = 2,
        };
        for (int i = 0; i < 3; i++)
        {
            options.Miners.Add(new CloudMining.Farm.Agent.Configuration.MinerOptions { Id = "m" + i, Address = "10.0.0." + (i + 1) });
        }

        // 2 × 10 s + 2 waves × (2 × 3 s + 0.2 s) + 10 s slack.
        Assert.Equal(TimeSpan.FromSeconds(42.4), AgentServiceStatus.StallTimeout(options));
    }

    [Theory]
    [InlineData(LogEventLevel.Debug, "<7>")]
    [InlineData(LogEventLevel.Information, "<6>")]
    [InlineData(LogEventLevel.Warning, "<4>")]
    [InlineData(LogEventLevel.Error, "<3>")]
    [InlineData(LogEventLevel.Fatal, "<2>")]
    public void Journal_lines_carry_the_syslog_priority_of_their_level(LogEventLevel level, string prefix)
    {
        Assert.Equal(prefix, SyslogPriorityEnricher.PrefixFor(level));
    }
}
