namespace CloudMining.Farm.Simulator.Mining;

/// <summary>The simulated pools' side: per URL+worker totals of what arrived, and which pool URLs are up.</summary>
public sealed class PoolLedger
{
    private readonly Lock _gate = new();
    private readonly Dictionary<(string Url, string User), Account> _accounts = [];
    private readonly HashSet<string> _deadUrls = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, double> _difficulty = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The share difficulty this pool URL assigns, or null to leave it to each miner's default.</summary>
    public double? ShareDifficulty(string url)
    {
        lock (_gate)
        {
            return _difficulty.TryGetValue(url, out double d) ? d : null;
        }
    }

    /// <summary>Sets the share difficulty a pool URL assigns from now on (a pool's vardiff decision); null goes back to the miners' default.</summary>
    internal void SetShareDifficulty(string url, double? difficulty)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (difficulty is { } d && (!double.IsFinite(d) || d <= 0))
        {
            throw new ArgumentOutOfRangeException(nameof(difficulty), difficulty, "A share difficulty must be a positive number.");
        }

        lock (_gate)
        {
            if (difficulty is null)
            {
                _difficulty.Remove(url);
            }
            else
            {
                _difficulty[url] = difficulty.Value;
            }
        }
    }

    public bool IsAlive(string url)
    {
        lock (_gate)
        {
            return !_deadUrls.Contains(url);
        }
    }

    /// <summary>Takes a pool URL down or brings it back (a dead pool gets no shares; failover miners move on).</summary>
    internal void SetAlive(string url, bool alive)
    {
        ArgumentNullException.ThrowIfNull(url);
        lock (_gate)
        {
            if (alive)
            {
                _deadUrls.Remove(url);
            }
            else
            {
                _deadUrls.Add(url);
            }
        }
    }

    /// <summary>Opens the account for a pool a miner is configured with, so the pool side lists it before any share arrives.</summary>
    internal void Touch(string url, string user)
    {
        lock (_gate)
        {
            if (!_accounts.ContainsKey((url, user)))
            {
                _accounts[(url, user)] = new Account();
            }
        }
    }

    internal void Record(string url, string user, double hashes, long accepted, long rejected, long stale, double shareDifficulty)
    {
        lock (_gate)
        {
            if (!_accounts.TryGetValue((url, user), out Account? a))
            {
                a = new Account();
                _accounts[(url, user)] = a;
            }

            a.Hashes += hashes;
            a.Accepted += accepted;
            a.AcceptedDifficulty += accepted * shareDifficulty;
            a.Rejected += rejected;
            a.RejectedDifficulty += rejected * shareDifficulty;
            a.Stale += stale;
            a.StaleDifficulty += stale * shareDifficulty;
        }
    }

    /// <summary>Totals per account as of the last time each miner was advanced (SimulatedFarm.PoolView advances them all first).</summary>
    public IReadOnlyList<PoolAccountView> Snapshot()
    {
        lock (_gate)
        {
            return _accounts
                .OrderBy(kv => kv.Key.Url, StringComparer.Ordinal)
                .ThenBy(kv => kv.Key.User, StringComparer.Ordinal)
                .Select(kv => new PoolAccountView(
                    kv.Key.Url, kv.Key.User, kv.Value.Hashes, kv.Value.Accepted, kv.Value.AcceptedDifficulty,
                    kv.Value.Rejected, kv.Value.RejectedDifficulty, kv.Value.Stale, kv.Value.StaleDifficulty,
                    !_deadUrls.Contains(kv.Key.Url)))
                .ToList();
        }
    }

    private sealed class Account
    {
        public double Hashes;
        public long Accepted;
        public double AcceptedDifficulty;
        public long Rejected;
        public double RejectedDifficulty;
        public long Stale;
        public double StaleDifficulty;
    }
}
