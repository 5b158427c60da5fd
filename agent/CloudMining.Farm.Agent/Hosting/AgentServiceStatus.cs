using System.Globalization;
using CloudMining.Farm.Agent.Configuration;
using CloudMining.Farm.Agent.Polling;
using CloudMining.Farm.Shared.Units;
using CloudMining.Farm.Systemd;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace CloudMining.Farm.Agent.Hosting;

/// <summary>
/// Tells systemd how the rack is doing after each poll cycle (STATUS= "polling 24 miners, 23 answering, 2.1 PH/s") and
/// feeds the watchdog from the polling loop's progress, so a hung loop stops the WATCHDOG=1 pings and systemd restarts us.
/// </summary>
public sealed class AgentServiceStatus : IHostedService
{
    private readonly PollingService _polling;
    private readonly ProgressWatchdog _systemd;

    public AgentServiceStatus(PollingService polling, ProgressWatchdog systemd)
    {
        _polling = polling ?? throw new ArgumentNullException(nameof(polling));
        _systemd = systemd ?? throw new ArgumentNullException(nameof(systemd));

        // Subscribe now, not in StartAsync: the host builds every hosted service before starting the first, and the
        // polling loop (started earlier) may finish its first cycle while later services are still starting.
        _polling.CycleCompleted += OnCycleCompleted;
    }

    /// <summary>
    /// How long the loop may go without finishing a cycle before it counts as hung: two intervals (a cycle that overruns
    /// starts the next at once) plus the longest a cycle can take when every miner times out, plus slack for a loaded box.
    /// </summary>
    public static TimeSpan StallTimeout(AgentOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        int waves = Math.Max(1, (int)Math.Ceiling(options.Miners.Count / (double)Math.Max(1, options.MaxConcurrency)));
        return (options.PollInterval * 2) + (AgentOptionsValidator.MinerBudget(options) * waves) + TimeSpan.FromSeconds(10);
    }

    /// <summary>The one-line status for `systemctl status farm-agent`.</summary>
    public static string Describe(PollCycleCompletedEventArgs e)
    {
        ArgumentNullException.ThrowIfNull(e);
        Hashrate total = Hashrate.Zero;
        foreach (MinerPollStatus m in e.Miners)
        {
            if (m.LastSuccessAt >= e.Cycle.StartedAt && m.Snapshot?.Hashrate5s is { } rate)
            {
                total += rate;
            }
        }

        return string.Create(
            CultureInfo.InvariantCulture,
            $"polling {e.Miners.Count} miners, {e.Cycle.Succeeded} answering, {total.Format(total.NaturalUnit(), 1)} (cycle {e.Cycle.Cycle})");
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _polling.CycleCompleted -= OnCycleCompleted;
        return Task.CompletedTask;
    }

    private void OnCycleCompleted(object? sender, PollCycleCompletedEventArgs e)
    {
        // One datagram each, on the polling loop: sendto on a local socket does not block.
        _systemd.ReportProgress();
        _systemd.ReportStatus(Describe(e));
    }

}
