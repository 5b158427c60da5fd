using CloudMining.Farm.Controller.Contracts;
using CloudMining.Farm.Controller.Proof;
using CloudMining.Farm.Controller.Store;

namespace CloudMining.Farm.Controller.Ledger;

/// <summary>
/// Accumulates, per contract and UTC hour, the hashes proven at the customer's pool and the energy of the contract's
/// miners, and turns every completed hour into one <see cref="LedgerEntry"/>. Open hours are saved with each tick and
/// closed hours are derived from the last stored row, so a restart neither skips nor double-counts an hour.
/// Not thread-safe; the engine calls it under its lock.
/// </summary>
public sealed class HourlyLedger
{
    /// <summary>engine_meta key of the first hour the ledger covers (the engine's first start).</summary>
    public const string OriginKey = "ledger_origin";

    private readonly Dictionary<(string Contract, DateTimeOffset Hour), Accumulator> _open = [];
    private readonly Dictionary<string, DateTimeOffset> _lastClosed = new(StringComparer.Ordinal);
    private readonly decimal _electricityPricePerKwh;

    public HourlyLedger(DateTimeOffset origin, decimal electricityPricePerKwh, IEnumerable<LedgerAccumulator>? openHours = null, IReadOnlyDictionary<string, DateTimeOffset>? lastStoredHours = null)
    {
        Origin = HourOf(origin);
        _electricityPricePerKwh = electricityPricePerKwh;
        foreach (LedgerAccumulator a in openHours ?? [])
        {
            _open[(a.ContractId, a.Hour)] = new Accumulator { Hashes = a.DeliveredHashes, WattHours = a.EnergyWattHours };
        }

        foreach (KeyValuePair<string, DateTimeOffset> pair in lastStoredHours ?? new Dictionary<string, DateTimeOffset>())
        {
            _lastClosed[pair.Key] = pair.Value;
        }
    }

    /// <summary>The first hour any row may cover: hours before the controller first ran were not observed.</summary>
    public DateTimeOffset Origin { get; }

    public static DateTimeOffset HourOf(DateTimeOffset t)
    {
        DateTimeOffset u = t.ToUniversalTime();
        return new DateTimeOffset(u.Year, u.Month, u.Day, u.Hour, 0, 0, TimeSpan.Zero);
    }

    /// <summary>
    /// Credits accepted difficulty for work done over [<paramref name="from"/>, <paramref name="to"/>), split across hour
    /// boundaries in proportion to time; work reported late for an hour already closed counts in the first open hour.
    /// </summary>
    public void CreditDelivered(string contractId, DateTimeOffset from, DateTimeOffset to, double difficulty)
    {
        double hashes = difficulty * DeliveryMeter.HashesPerDifficulty;
        if (to <= from)
        {
            Get(contractId, FirstOpenHour(contractId, HourOf(to))).Hashes += hashes;
            return;
        }

        double total = (to - from).TotalSeconds;
        ForEachHour(from, to, (hour, seconds) => Get(contractId, FirstOpenHour(contractId, hour)).Hashes += hashes * seconds / total);
    }

    /// <summary>Credits energy at <paramref name="watts"/> over [from, to), split at hour boundaries.</summary>
    public void CreditEnergy(string contractId, DateTimeOffset from, DateTimeOffset to, double watts)
    {
        if (!(watts > 0) || to <= from)
        {
            return;
        }

        ForEachHour(from, to, (hour, seconds) => Get(contractId, FirstOpenHour(contractId, hour)).WattHours += watts * seconds / 3600);
    }

    private static void ForEachHour(DateTimeOffset from, DateTimeOffset to, Action<DateTimeOffset, double> segment)
    {
        DateTimeOffset t = from;
        while (t < to)
        {
            DateTimeOffset hourEnd = HourOf(t).AddHours(1);
            DateTimeOffset segmentEnd = hourEnd < to ? hourEnd : to;
            segment(HourOf(t), (segmentEnd - t).TotalSeconds);
            t = segmentEnd;
        }
    }

    /// <summary>The open hours as they stand, to save.</summary>
    public IReadOnlyList<LedgerAccumulator> OpenHours() =>
        [.. _open.OrderBy(p => p.Key.Hour).ThenBy(p => p.Key.Contract, StringComparer.Ordinal)
            .Select(p => new LedgerAccumulator(p.Key.Contract, p.Key.Hour, p.Value.Hashes, p.Value.WattHours))];

    /// <summary>
    /// Builds the rows of every hour completed by <paramref name="now"/> and not yet stored, for each contract whose term
    /// (cut at its ending) overlaps the hour, and forgets their accumulators. The caller stores them with <see cref="OpenHours"/>.
    /// </summary>
    /// <summary>
    /// The curtailed TH·h of a contract-hour (the curtailment ledger's, by plan): curtailment, not a shortfall, so a row's
    /// shortfall is target − curtailed − delivered. Null: nothing is curtailed.
    /// </summary>
    public Func<string, DateTimeOffset, double>? Curtailed { get; set; }

    public IReadOnlyList<LedgerEntry> CloseCompletedHours(DateTimeOffset now, IEnumerable<Contract> contracts, IReadOnlyDictionary<string, ContractEnding> endings)
    {
        ArgumentNullException.ThrowIfNull(contracts);
        ArgumentNullException.ThrowIfNull(endings);
        DateTimeOffset current = HourOf(now);
        var rows = new List<LedgerEntry>();
        foreach (Contract c in contracts)
        {
            DateTimeOffset start = c.Term.Start;
            DateTimeOffset? end = c.Term.End;
            if (endings.TryGetValue(c.Id, out ContractEnding? ending) && (end is null || ending.EndedAt < end))
            {
                end = ending.EndedAt;
            }

            DateTimeOffset first = _lastClosed.TryGetValue(c.Id, out DateTimeOffset last) ? last.AddHours(1) : Max(HourOf(start), Origin);
            for (DateTimeOffset h = first; h < current && (end is null || h < end); h = h.AddHours(1))
            {
                rows.Add(Row(c, h, start, end));
                _lastClosed[c.Id] = h;
            }

            if (_lastClosed.TryGetValue(c.Id, out DateTimeOffset closed))
            {
                // Closed hours, and hours after the contract's end (work reported after it ended), are dropped.
                foreach ((string, DateTimeOffset) key in _open.Keys.Where(k => k.Contract == c.Id && (k.Hour <= closed || (end is { } e && k.Hour >= e))).ToList())
                {
                    _open.Remove(key);
                }
            }
        }

        return rows;
    }

    /// <summary>
    /// The hour in progress at <paramref name="now"/> of <paramref name="c"/> as it stands (target up to now, delivery
    /// and energy so far), computed as its row will be at the close; nothing is closed or forgotten.
    /// </summary>
    public LedgerEntry OpenRow(Contract c, DateTimeOffset now, DateTimeOffset? end)
    {
        ArgumentNullException.ThrowIfNull(c);
        return Row(c, HourOf(now), c.Term.Start, end is { } e && e < now ? e : now);
    }

    private LedgerEntry Row(Contract c, DateTimeOffset hour, DateTimeOffset start, DateTimeOffset? end)
    {
        DateTimeOffset from = Max(hour, start);
        DateTimeOffset to = end is { } e && e < hour.AddHours(1) ? e : hour.AddHours(1);
        double activeHours = to > from ? (to - from).TotalHours : 0;
        double targetThh = c.Target.TerahashesPerSecond * activeHours;
        _open.TryGetValue((c.Id, hour), out Accumulator? acc);
        double deliveredThh = (acc?.Hashes ?? 0) / 1e12 / 3600;
        double kwh = (acc?.WattHours ?? 0) / 1000;

        // Maintenance is billed on delivered (proven) TH·h, so a shortfall is never charged for. What the curtailment plan
        // took is no shortfall either (it is in the curtailment ledger, within the contract's allowance).
        double curtailedThh = Math.Max(0, Curtailed?.Invoke(c.Id, hour) ?? 0);
        decimal maintenance = Math.Round(c.Fees.MaintenancePerTerahashDay * (decimal)deliveredThh / 24m, 8);
        decimal electricity = c.Fees.ElectricityAtCost ? Math.Round((decimal)kwh * _electricityPricePerKwh, 8) : 0m;
        return new LedgerEntry(c.Id, hour, targetThh, deliveredThh, Math.Max(0, targetThh - curtailedThh - deliveredThh), kwh, maintenance, electricity);
    }

    private DateTimeOffset FirstOpenHour(string contractId, DateTimeOffset hour) =>
        _lastClosed.TryGetValue(contractId, out DateTimeOffset closed) && hour <= closed ? closed.AddHours(1) : hour;

    private Accumulator Get(string contractId, DateTimeOffset hour)
    {
        if (!_open.TryGetValue((contractId, hour), out Accumulator? acc))
        {
            acc = new Accumulator();
            _open[(contractId, hour)] = acc;
        }

        return acc;
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private sealed class Accumulator
    {
        public double Hashes { get; set; }

        public double WattHours { get; set; }
    }
}
