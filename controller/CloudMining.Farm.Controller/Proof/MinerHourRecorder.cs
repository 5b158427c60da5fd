using CloudMining.Farm.Controller.Allocation;
using CloudMining.Farm.Controller.Contracts;
using CloudMining.Farm.Controller.Ledger;

namespace CloudMining.Farm.Controller.Proof;

/// <summary>
/// Records which miners served each contract-hour: every tick, each miner's contract shares × the time since the
/// previous tick, and the accepted difficulty each miner delivered to a contract's pool account, split at hour
/// boundaries. Pending rows are added to the store (<see cref="IMinerHourStore"/>) every
/// <see cref="FlushInterval"/> and when an hour ends, so a restart loses at most that much of the record (the ledger's
/// own figures are kept by <see cref="HourlyLedger"/>). Not thread-safe; the engine calls it under its lock.
/// </summary>
public sealed class MinerHourRecorder
{
    /// <summary>How often pending rows are written; an hour's end writes too.</summary>
    public static readonly TimeSpan FlushInterval = TimeSpan.FromMinutes(5);

    // Shares are credited over at most this much after a gap: a stopped controller observed nothing.
    private static readonly TimeSpan GapCap = TimeSpan.FromMinutes(1);

    private readonly IMinerHourStore? _store;
    private readonly Dictionary<(string Contract, DateTimeOffset Hour, string Miner), Pending> _pending = [];
    private IReadOnlyDictionary<string, string> _serials = new Dictionary<string, string>(StringComparer.Ordinal);
    private DateTimeOffset? _lastShares;
    private DateTimeOffset? _lastFlush;

    /// <summary>A recorder over <paramref name="store"/>; null (a store that keeps no miner hours) keeps them in memory only until the hour ends.</summary>
    public MinerHourRecorder(IMinerHourStore? store) => _store = store;

    /// <summary>The serial numbers the miners' firmware reports (miner id → serial), written with the rows credited from now on.</summary>
    public void UseSerials(IReadOnlyDictionary<string, string> serialOf) => _serials = serialOf ?? throw new ArgumentNullException(nameof(serialOf));

    /// <summary>Credits each miner's delivered difficulty to its contract's hours.</summary>
    public void CreditDelivered(IEnumerable<DeliveryCredit> credits, IReadOnlyDictionary<string, string> rackOf)
    {
        ArgumentNullException.ThrowIfNull(credits);
        ArgumentNullException.ThrowIfNull(rackOf);
        foreach (DeliveryCredit c in credits)
        {
            if (c.MinerId is not { } miner)
            {
                continue;
            }

            double terahashHours = c.Difficulty * DeliveryMeter.HashesPerDifficulty / 1e12 / 3600;
            string rack = rackOf.GetValueOrDefault(miner, string.Empty);
            if (c.To <= c.From)
            {
                Get(c.ContractId, HourlyLedger.HourOf(c.To), miner, rack).DeliveredTerahashHours += terahashHours;
                continue;
            }

            double total = (c.To - c.From).TotalSeconds;
            Split(c.From, c.To, (hour, seconds) => Get(c.ContractId, hour, miner, rack).DeliveredTerahashHours += terahashHours * seconds / total);
        }
    }

    /// <summary>
    /// Credits every contract share held since the previous call (the house pool's are not recorded); a miner
    /// <paramref name="suspect"/> names held its share as suspect time (<see cref="MinerHour.SuspectHours"/>), not service.
    /// </summary>
    public void CreditShares(DateTimeOffset now, IReadOnlyDictionary<string, IReadOnlyList<PoolShare>> assignments, IReadOnlyDictionary<string, string> rackOf, Func<string, bool>? suspect = null)
    {
        ArgumentNullException.ThrowIfNull(assignments);
        ArgumentNullException.ThrowIfNull(rackOf);
        DateTimeOffset? previous = _lastShares;
        _lastShares = now;
        if (previous is not { } since || now <= since)
        {
            return;
        }

        DateTimeOffset from = now - since > GapCap ? now - GapCap : since;
        foreach ((string miner, IReadOnlyList<PoolShare> shares) in assignments)
        {
            string rack = rackOf.GetValueOrDefault(miner, string.Empty);
            bool isSuspect = false;
            bool asked = false;
            foreach (PoolShare share in shares)
            {
                if (share.Assignee == HousePool.AssigneeId)
                {
                    continue;
                }

                if (!asked)
                {
                    isSuspect = suspect?.Invoke(miner) == true;
                    asked = true;
                }

                double fraction = share.Fraction;
                if (isSuspect)
                {
                    Split(from, now, (hour, seconds) => Get(share.Assignee, hour, miner, rack).SuspectHours += fraction * seconds / 3600);
                    continue;
                }

                Split(from, now, (hour, seconds) => Get(share.Assignee, hour, miner, rack).ShareHours += fraction * seconds / 3600);
            }
        }
    }

    /// <summary>Writes the pending rows when <see cref="FlushInterval"/> has passed or an hour has ended since the last write.</summary>
    public async Task FlushIfDueAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        DateTimeOffset? last = _lastFlush;
        if (last is { } l && now - l < FlushInterval && HourlyLedger.HourOf(l) == HourlyLedger.HourOf(now))
        {
            return;
        }

        if (last is null)
        {
            _lastFlush = now;
            return;
        }

        if (_store is null)
        {
            // Nowhere to keep them: drop what belongs to ended hours, keep the hour in progress for the views.
            DateTimeOffset current = HourlyLedger.HourOf(now);
            foreach (var key in _pending.Keys.Where(k => k.Hour < current).ToList())
            {
                _pending.Remove(key);
            }

            _lastFlush = now;
            return;
        }

        List<MinerHour> rows = [.. _pending.Select(p => new MinerHour(p.Key.Contract, p.Key.Hour, p.Key.Miner, p.Value.Rack, p.Value.ShareHours, p.Value.DeliveredTerahashHours, p.Value.Serial, p.Value.SuspectHours))];
        await _store.AddMinerHoursAsync(rows, cancellationToken);
        _pending.Clear();
        _lastFlush = now;
    }

    /// <summary>What a contract's hours in [from, to) hold: the stored rows plus those not yet written.</summary>
    public async Task<IReadOnlyList<MinerHour>> RowsAsync(string contractId, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        IReadOnlyList<MinerHour> stored = _store is null ? [] : await _store.GetMinerHoursAsync(contractId, from, to, cancellationToken);
        IEnumerable<MinerHour> pending = _pending
            .Where(p => p.Key.Contract == contractId && p.Key.Hour >= from && p.Key.Hour < to)
            .Select(p => new MinerHour(p.Key.Contract, p.Key.Hour, p.Key.Miner, p.Value.Rack, p.Value.ShareHours, p.Value.DeliveredTerahashHours, p.Value.Serial, p.Value.SuspectHours));
        return [.. stored.Concat(pending)
            .GroupBy(m => (m.Hour, m.MinerId))
            .Select(g => new MinerHour(contractId, g.Key.Hour, g.Key.MinerId, g.Last().Rack, g.Sum(m => m.ShareHours), g.Sum(m => m.DeliveredTerahashHours), g.LastOrDefault(m => m.Serial is not null)?.Serial, g.Sum(m => m.SuspectHours)))
            .OrderBy(m => m.Hour)
            .ThenBy(m => m.MinerId, StringComparer.Ordinal)];
    }

    private Pending Get(string contract, DateTimeOffset hour, string miner, string rack)
    {
        if (!_pending.TryGetValue((contract, hour, miner), out Pending? p))
        {
            p = new Pending { Rack = rack };
            _pending[(contract, hour, miner)] = p;
        }

        if (rack.Length > 0)
        {
            p.Rack = rack;
        }

        if (_serials.TryGetValue(miner, out string? serial))
        {
            p.Serial = serial;
        }

        return p;
    }

    private static void Split(DateTimeOffset from, DateTimeOffset to, Action<DateTimeOffset, double> segment)
    {
        DateTimeOffset t = from;
        while (t < to)
        {
            DateTimeOffset hour = HourlyLedger.HourOf(t);
            DateTimeOffset end = hour.AddHours(1) < to ? hour.AddHours(1) : to;
            segment(hour, (end - t).TotalSeconds);
            t = end;
        }
    }

    private sealed class Pending
    {
        public string Rack { get; set; } = string.Empty;

        public string? Serial { get; set; }

        public double ShareHours { get; set; }

        public double DeliveredTerahashHours { get; set; }

        public double SuspectHours { get; set; }
    }
}
