namespace CloudMining.Farm.Simulator.Mining;

/// <summary>A pool as one miner holds it: configuration plus the miner's own counters since boot.</summary>
internal sealed class MinerPool
{
    public MinerPool(PoolDefinition definition, int priority)
    {
        Url = definition.Url;
        User = definition.User;
        Password = definition.Password;
        Quota = definition.Quota;
        Priority = priority;
    }

    public string Url { get; }

    public string User { get; }

    /// <summary>Kept only so "addpool" round-trips; never rendered or logged.</summary>
    public string Password { get; }

    public int Priority { get; set; }

    public int Quota { get; set; }

    /// <summary>The pool group (LuxOS); 0 on firmware without groups.</summary>
    public int Group { get; init; }

    public bool Enabled { get; set; } = true;

    /// <summary>The uid of the Braiins OS+ pool group holding this pool, or null outside pool groups.</summary>
    public string? GroupUid { get; set; }

    public double Hashes { get; private set; }

    public double Diff1 { get; private set; }

    public long Submitted { get; private set; }

    public long Accepted { get; private set; }

    public long Rejected { get; private set; }

    public long Stale { get; private set; }

    public double DifficultyAccepted { get; private set; }

    public double DifficultyRejected { get; private set; }

    public double DifficultyStale { get; private set; }

    public long Getworks { get; private set; }

    public DateTimeOffset? LastShareAt { get; private set; }

    public double LastShareDifficulty { get; private set; }

    /// <summary>Whether the miner currently sends work here (cgminer's "Stratum Active").</summary>
    public bool Active { get; set; }

    /// <summary>Difficulty-1 work found but not yet enough for a whole share.</summary>
    private double _pendingDiff1;

    /// <summary>Credits hashes sent to this pool over [since, at) and turns whole shares into accepted/rejected/stale, deterministically.</summary>
    /// <remarks>Shares are cut at the difficulty in force when they are found, so a pool changing difficulty (vardiff) keeps the totals exact.</remarks>
    public void AddHashes(double hashes, DateTimeOffset since, DateTimeOffset at, double shareDifficulty, double rejectRate, double staleRate, PoolLedger ledger)
    {
        if (hashes <= 0)
        {
            return;
        }

        double diff1 = hashes / 4294967296.0;
        Hashes += hashes;
        Diff1 += diff1;
        _pendingDiff1 += diff1;
        long newShares = (long)Math.Floor(_pendingDiff1 / shareDifficulty);
        _pendingDiff1 -= newShares * shareDifficulty;
        long submitted = Submitted + newShares;
        long rejected = (long)Math.Floor(submitted * rejectRate) - Rejected;
        long stale = (long)Math.Floor(submitted * staleRate) - Stale;
        long accepted = newShares - rejected - stale;
        Submitted = submitted;
        Rejected += rejected;
        Stale += stale;
        Accepted += accepted;
        DifficultyAccepted += accepted * shareDifficulty;
        DifficultyRejected += rejected * shareDifficulty;
        DifficultyStale += stale * shareDifficulty;
        Getworks = (long)(Diff1 / 1e4);
        if (newShares > 0)
        {
            LastShareAt = at;
            LastShareDifficulty = shareDifficulty;
        }

        ledger.Record(Url, User, hashes, accepted, rejected, stale, shareDifficulty, since, at);
    }

    /// <summary>Work towards a share that was not finished when the miner moved away: a pool switch loses it, as on real miners.</summary>
    public double DropPartialWork()
    {
        double lost = _pendingDiff1;
        _pendingDiff1 = 0;
        return lost;
    }

    public void ResetCounters()
    {
        Hashes = 0;
        Diff1 = 0;
        Submitted = 0;
        _pendingDiff1 = 0;
        DifficultyAccepted = 0;
        DifficultyRejected = 0;
        DifficultyStale = 0;
        Accepted = 0;
        Rejected = 0;
        Stale = 0;
        Getworks = 0;
        LastShareAt = null;
        LastShareDifficulty = 0;
        Active = false;
    }
}
