using CloudMining.Farm.Controller.PoolSide;
using CloudMining.Farm.Controller.Settlement;
using CloudMining.Farm.Shared.Wire;

namespace CloudMining.Farm.Controller.Proof;

/// <summary>Assembles a <see cref="ContractProofView"/> from the ledger, the pool's hours, the miner hours and the settlements: a pure join by hour.</summary>
public static class ContractProofBuilder
{
    /// <summary>
    /// One <see cref="ProofHourView"/> per ledger row (closed rows, then the open one if given), with the pool's figure of
    /// the same hour and the miners recorded for it.
    /// </summary>
    public static IReadOnlyList<ProofHourView> Hours(IEnumerable<LedgerEntry> closed, LedgerEntry? open, IEnumerable<PoolSideHour> poolHours, IEnumerable<MinerHour> minerHours)
    {
        ArgumentNullException.ThrowIfNull(closed);
        ArgumentNullException.ThrowIfNull(poolHours);
        ArgumentNullException.ThrowIfNull(minerHours);
        Dictionary<DateTimeOffset, (double Thh, double Seconds)> pool = poolHours.GroupBy(p => p.Hour).ToDictionary(g => g.Key, g => (g.Sum(p => p.PoolTerahashHours), g.Sum(p => p.ObservedSeconds)));
        ILookup<DateTimeOffset, MinerHour> miners = minerHours.ToLookup(m => m.Hour);
        var hours = new List<ProofHourView>();
        foreach (LedgerEntry row in closed.OrderBy(r => r.Hour))
        {
            hours.Add(Hour(row, pool, miners, isOpen: false));
        }

        if (open is not null && hours.All(h => h.Hour != open.Hour))
        {
            hours.Add(Hour(open, pool, miners, isOpen: true));
        }

        return hours;
    }

    public static SettlementView View(ContractSettlement s)
    {
        ArgumentNullException.ThrowIfNull(s);
        return new SettlementView(
            s.ContractId,
            s.PeriodStart,
            s.PeriodEnd,
            s.TargetTerahashHours,
            s.DeliveredTerahashHours,
            s.ShortfallTerahashHours,
            s.ToleratedTerahashHours,
            s.MakeGood == MakeGoodKind.Credit ? "credit" : "extra-hours",
            s.MakeGoodTerahashHours,
            s.ExtraHours,
            s.Credit,
            s.EnergyKilowattHours,
            s.MaintenanceFee,
            s.ElectricityCost,
            s.PoolTerahashHours,
            s.ClosedAt,
            s.PoolObservedHours);
    }

    private static ProofHourView Hour(LedgerEntry row, Dictionary<DateTimeOffset, (double Thh, double Seconds)> pool, ILookup<DateTimeOffset, MinerHour> miners, bool isOpen) =>
        new(
            row.Hour,
            row.TargetTerahashHours,
            row.DeliveredTerahashHours,
            pool.TryGetValue(row.Hour, out (double Thh, double Seconds) p) ? p.Thh : null,
            row.ShortfallTerahashHours,
            row.EnergyKilowattHours,
            row.MaintenanceFee,
            row.ElectricityCost,
            [.. miners[row.Hour].OrderBy(m => m.MinerId, StringComparer.Ordinal).Select(m => new ProofMinerView(m.MinerId, m.Rack, m.ShareHours, m.DeliveredTerahashHours, MinerSerial.Show(m.Serial), m.SuspectHours))],
            isOpen,
            pool.TryGetValue(row.Hour, out (double Thh, double Seconds) q) ? q.Seconds : null);
}
