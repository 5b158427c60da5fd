namespace CloudMining.Farm.Simulator.Mining;

/// <summary>The simulated pools' side: per URL+worker totals of what arrived, and which pool URLs are up.</summary>
public sealed class PoolLedger
{
    private readonly Lock _gate = new();
    private readonly Dictionary<(string Url, string User), Account> _accounts = [];
    private readonly HashSet<string> _deadUrls = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, double> _difficulty = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, double> _credit = new(StringComparer.OrdinalIgnoreCase);

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

    /// <summary>
    /// Makes a pool URL credit only <paramref name="factor"/> of the shares the miners had accepted (a pool that
    /// under-credits, or loses shares between its stratum front and its accounting): the miners' own counters still show
    /// every share, the pool side shows the credited part. 1 restores full credit.
    /// </summary>
    internal void SetCreditFactor(string url, double factor)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (!double.IsFinite(factor) || factor < 0 || factor > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(factor), factor, "A credit factor is the share of accepted work the pool credits, from 0 to 1.");
        }

        lock (_gate)
        {
            if (factor == 1)
            {
                _credit.Remove(url);
            }
            else
            {
                _credit[url] = factor;
            }
        }
    }

    /// <summary>The share of accepted work a pool URL credits (1 unless <see cref="SetCreditFactor"/> lowered it).</summary>
    public double CreditFactor(string url)
    {
        lock (_gate)
        {
            return _credit.TryGetValue(url, out double f) ? f : 1;
        }
    }

    /// <summary>
    /// Books work a miner sent to an account over [<paramref name="since"/>, <paramref name="at"/>): totals, and the
    /// per-minute series the pool APIs answer from (spread evenly over the interval, as the work was done).
    /// </summary>
    internal void Record(string url, string user, double hashes, long accepted, long rejected, long stale, double shareDifficulty, DateTimeOffset since, DateTimeOffset at)
    {
        lock (_gate)
        {
            if (!_accounts.TryGetValue((url, user), out Account? a))
            {
                a = new Account();
                _accounts[(url, user)] = a;
            }

            // Under-crediting pools keep the fraction they dropped, so over many shares exactly factor × accepted is credited.
            long credited = accepted;
            if (_credit.TryGetValue(url, out double factor))
            {
                a.CreditCarry += accepted * factor;
                credited = (long)Math.Floor(a.CreditCarry);
                a.CreditCarry -= credited;
            }

            a.Hashes += hashes;
            a.Accepted += credited;
            a.AcceptedDifficulty += credited * shareDifficulty;
            a.Rejected += rejected;
            a.RejectedDifficulty += rejected * shareDifficulty;
            a.Stale += stale;
            a.StaleDifficulty += stale * shareDifficulty;
            if (credited > 0 || stale > 0)
            {
                a.LastShareAt = at;
                a.Series.Add(since, at, credited * shareDifficulty, credited, stale * shareDifficulty);
            }
        }
    }

    /// <summary>Accepted work of one account (summed over <paramref name="url"/>s, or all URLs when null) in [from, to).</summary>
    public PoolWindow Window(string user, DateTimeOffset from, DateTimeOffset to, IReadOnlyCollection<string>? urls = null)
    {
        ArgumentNullException.ThrowIfNull(user);
        lock (_gate)
        {
            double difficulty = 0, shares = 0, staleDifficulty = 0;
            DateTimeOffset? last = null;
            foreach (((string url, string u), Account a) in _accounts)
            {
                if (!string.Equals(u, user, StringComparison.Ordinal) || (urls is not null && !urls.Contains(url, StringComparer.OrdinalIgnoreCase)))
                {
                    continue;
                }

                (double d, double s, double st) = a.Series.Sum(from, to);
                difficulty += d;
                shares += s;
                staleDifficulty += st;
                if (a.LastShareAt is { } at && (last is null || at > last))
                {
                    last = at;
                }
            }

            return new PoolWindow(from, to, difficulty, shares, staleDifficulty, last);
        }
    }

    /// <summary>The worker names (account users) the pool has seen, optionally only on some URLs.</summary>
    public IReadOnlyList<string> Users(IReadOnlyCollection<string>? urls = null)
    {
        lock (_gate)
        {
            return [.. _accounts.Keys
                .Where(k => urls is null || urls.Contains(k.Url, StringComparer.OrdinalIgnoreCase))
                .Select(k => k.User)
                .Distinct(StringComparer.Ordinal)
                .Order(StringComparer.Ordinal)];
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
        public double CreditCarry;
        public DateTimeOffset? LastShareAt;
        public PoolSeries Series { get; } = new();
    }
}
