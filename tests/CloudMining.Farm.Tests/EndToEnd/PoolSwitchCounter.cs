using CloudMining.Farm.Simulator;
using CloudMining.Farm.Simulator.Mining;

namespace CloudMining.Farm.Tests.EndToEnd;

/// <summary>
/// Watches every simulated miner's enabled pools (URL, user, quota, in priority order) and counts each change: the
/// pool switches a miner really made, however briefly, which the issue counts (each costs stale shares).
/// </summary>
public sealed class PoolSwitchCounter : IAsyncDisposable
{
    private readonly SimulatedFarm _sim;
    private readonly Dictionary<string, string> _last = new(StringComparer.Ordinal);
    private readonly List<string> _changes = [];
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    private PoolSwitchCounter(SimulatedFarm sim)
    {
        _sim = sim;
        Sample();
        _loop = Task.Run(() => RunAsync(_stop.Token));
    }

    /// <summary>Pool changes seen so far, one line per change ("miner: before → after").</summary>
    public IReadOnlyList<string> Changes
    {
        get
        {
            lock (_gate)
            {
                return [.. _changes];
            }
        }
    }

    public static PoolSwitchCounter Start(SimulatedFarm sim) => new(sim ?? throw new ArgumentNullException(nameof(sim)));

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
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
        foreach (SimulatedMiner m in _sim.Miners)
        {
            string now = string.Join(" + ", m.Snapshot().Pools.Where(p => p.Enabled).OrderBy(p => p.Priority).Select(p => $"{p.Url}|{p.User}|{p.Quota}"));
            lock (_gate)
            {
                if (_last.TryGetValue(m.Id, out string? before) && before != now)
                {
                    _changes.Add($"{m.Id}: {before} → {now}");
                }

                _last[m.Id] = now;
            }
        }
    }
}
