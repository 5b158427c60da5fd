using CloudMining.Farm.Simulator;
using CloudMining.Farm.Simulator.Mining;

namespace CloudMining.Farm.Tests.EndToEnd;

/// <summary>
/// Watches every simulated miner's enabled pools (URL, user, quota, in priority order) and counts each change: the
/// pool switches a miner really made, however briefly, which the issue counts (each costs stale shares).
/// </summary>
public sealed class PoolSwitchCounter : IAsyncDisposable
{
    private readonly SimulatedFarm sim;
    private readonly Dictionary<string, string> last = new(StringComparer.Ordinal);
    private readonly List<string> changes = [];
    private readonly Lock gate = new();
    private readonly CancellationTokenSource stop = new();
    private readonly Task loop;

    private PoolSwitchCounter(SimulatedFarm sim)
    {
        this.sim = sim;
        Sample();
        loop = Task.Run(() => RunAsync(stop.Token));
    }

    /// <summary>Pool changes seen so far, one line per change ("miner: before → after").</summary>
    public IReadOnlyList<string> Changes
    {
        get
        {
            lock (gate)
            {
                return [.. changes];
            }
        }
    }

    public static PoolSwitchCounter Start(SimulatedFarm sim) => new(sim ?? throw new ArgumentNullException(nameof(sim)));

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        await loop;
        stop.Dispose();
    }

    private async Task RunAsync(CancellationToken token)
    {
        // Sampling is the measurement itself (the simulator has no change feed), not synchronisation.
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        try
        {
            while (await timer.WaitForNextTickAsync(token))
            {
                Sample();
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }
    }

    private void Sample()
    {
        foreach (SimulatedMiner m in sim.Miners)
        {
            string now = string.Join(" + ", m.Snapshot().Pools.Where(p => p.Enabled).OrderBy(p => p.Priority).Select(p => $"{p.Url}|{p.User}|{p.Quota}"));
            lock (gate)
            {
                if (last.TryGetValue(m.Id, out string? before) && before != now)
                {
                    changes.Add($"{m.Id}: {before} → {now}");
                }

                last[m.Id] = now;
            }
        }
    }
}
