using System.Data;
using CloudMining.Farm.Controller.PoolSide;
using CloudMining.Farm.Controller.Settlement;

namespace CloudMining.Farm.Controller.Store;

// Pool watches (the key is kept like the API token: in the database only, readable by the controller's user), the
// pool's hourly figures, discrepancies, settlement terms and closed settlements (migration 7; final by trigger).
public abstract partial class SqlControllerStore : IPoolSideStore, ISettlementStore
{
    public async Task<IReadOnlyDictionary<string, PoolWatch>> GetPoolWatchesAsync(CancellationToken cancellationToken) =>
        (await ReadAsync(
            $"SELECT contract_id, kind, api_url, account, worker, api_key FROM contract_pool_watch ORDER BY contract_id {ByteOrder};",
            null,
            r => (Id: r.GetString(0), Watch: PoolWatch.Create((PoolApiKind)r.GetInt32(1), r.GetString(2), r.GetString(4), PoolSecret.Of(r.GetString(5)), r.GetString(3))),
            cancellationToken))
        .ToDictionary(w => w.Id, w => w.Watch, StringComparer.Ordinal);

    public Task SetPoolWatchAsync(string contractId, PoolWatch? watch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(contractId);
        return watch is null
            ? ExecuteAsync("DELETE FROM contract_pool_watch WHERE contract_id = @c;", p => p.Add("c", contractId), cancellationToken)
            : ExecuteAsync(
                """
                INSERT INTO contract_pool_watch (contract_id, kind, api_url, account, worker, api_key) VALUES (@c, @k, @u, @a, @w, @key)
                ON CONFLICT (contract_id) DO UPDATE SET kind = excluded.kind, api_url = excluded.api_url, account = excluded.account,
                    worker = excluded.worker, api_key = excluded.api_key;
                """,
                p => p.Add("c", contractId).Add("k", (int)watch.Kind).Add("u", watch.ApiUrl.AbsoluteUri).Add("a", watch.Account).Add("w", watch.Worker).Add("key", watch.Key.Reveal()),
                cancellationToken);
    }

    public Task SavePoolSideHoursAsync(IReadOnlyList<PoolSideHour> hours, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(hours);
        return hours.Count == 0 ? Task.CompletedTask : InTransactionAsync(
            (c, tx) => ExecuteEachAsync(
                c,
                tx,
                """
                INSERT INTO pool_side_hours (contract_id, hour, pool_thh, observed_s) VALUES (@c, @h, @t, @s)
                ON CONFLICT (contract_id, hour) DO UPDATE SET pool_thh = excluded.pool_thh, observed_s = excluded.observed_s;
                """,
                hours,
                (p, h) => p.Add("c", h.ContractId).Instant("h", h.Hour).Add("t", h.PoolTerahashHours).Add("s", h.ObservedSeconds),
                cancellationToken),
            cancellationToken);
    }

    public async Task<IReadOnlyList<PoolSideHour>> GetPoolSideHoursAsync(string contractId, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken) =>
        await ReadAsync(
            "SELECT contract_id, hour, pool_thh, observed_s FROM pool_side_hours WHERE contract_id = @c AND hour >= @from AND hour < @to ORDER BY hour;",
            p => p.Add("c", contractId).Instant("from", from).Instant("to", to),
            r => new PoolSideHour(r.GetString(0), ReadInstant(r, 1), r.GetDouble(2), r.GetDouble(3)),
            cancellationToken);

    public Task RecordDiscrepancyAsync(PoolDiscrepancy discrepancy, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(discrepancy);
        return ExecuteAsync(
            """
            INSERT INTO pool_discrepancies (contract_id, at, since, worker, ours_hs, pool_hs, deviation) VALUES (@c, @at, @since, @w, @o, @p, @d)
            ON CONFLICT (contract_id, at) DO UPDATE SET since = excluded.since, worker = excluded.worker, ours_hs = excluded.ours_hs,
                pool_hs = excluded.pool_hs, deviation = excluded.deviation;
            """,
            p => p.Add("c", discrepancy.ContractId)
                .Instant("at", discrepancy.At)
                .Instant("since", discrepancy.Since)
                .Add("w", discrepancy.Worker)
                .Add("o", discrepancy.OursHs)
                .Add("p", discrepancy.PoolHs)
                .Add("d", discrepancy.Deviation),
            cancellationToken);
    }

    public async Task<IReadOnlyList<PoolDiscrepancy>> GetDiscrepanciesAsync(string contractId, CancellationToken cancellationToken) =>
        await ReadAsync(
            "SELECT contract_id, worker, ours_hs, pool_hs, deviation, since, at FROM pool_discrepancies WHERE contract_id = @c ORDER BY at;",
            p => p.Add("c", contractId),
            r => new PoolDiscrepancy(r.GetString(0), r.GetString(1), r.GetDouble(2), r.GetDouble(3), r.GetDouble(4), ReadInstant(r, 5), ReadInstant(r, 6)),
            cancellationToken);

    public async Task<IReadOnlyDictionary<string, SettlementTerms>> GetSettlementTermsAsync(CancellationToken cancellationToken) =>
        (await ReadAsync(
            $"SELECT contract_id, tolerance_percent, make_good, credit_per_thh FROM contract_settlement_terms ORDER BY contract_id {ByteOrder};",
            null,
            r => (Id: r.GetString(0), Terms: SettlementTerms.Create(r.GetDouble(1), (MakeGoodKind)r.GetInt32(2), ReadMoney(r, 3))),
            cancellationToken))
        .ToDictionary(t => t.Id, t => t.Terms, StringComparer.Ordinal);

    public Task SetSettlementTermsAsync(string contractId, SettlementTerms terms, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(contractId);
        ArgumentNullException.ThrowIfNull(terms);
        return ExecuteAsync(
            """
            INSERT INTO contract_settlement_terms (contract_id, tolerance_percent, make_good, credit_per_thh) VALUES (@c, @t, @m, @p)
            ON CONFLICT (contract_id) DO UPDATE SET tolerance_percent = excluded.tolerance_percent, make_good = excluded.make_good,
                credit_per_thh = excluded.credit_per_thh;
            """,
            p => p.Add("c", contractId).Add("t", terms.TolerancePercent).Add("m", (int)terms.MakeGood).Money("p", terms.CreditPerTerahashHour),
            cancellationToken);
    }

    public async Task<bool> CloseSettlementAsync(ContractSettlement settlement, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settlement);
        int inserted = 0;
        await InTransactionAsync(
            async (c, tx) =>
            {
                // DO NOTHING: a period already closed keeps its row; the triggers refuse any UPDATE or DELETE of it.
                inserted = await ExecuteAsync(
                    c,
                    tx,
                    """
                    INSERT INTO settlements
                        (contract_id, period_start, period_end, target_thh, delivered_thh, shortfall_thh, tolerated_thh, make_good, make_good_thh,
                         extra_hours, credit, energy_kwh, maintenance_fee, electricity_cost, pool_thh, closed_at, pool_observed_hours)
                    VALUES (@c, @ps, @pe, @t, @d, @s, @tol, @mg, @mgt, @x, @cr, @e, @m, @el, @p, @at, @po)
                    ON CONFLICT (contract_id, period_start) DO NOTHING;
                    """,
                    p => p.Add("c", settlement.ContractId)
                        .Instant("ps", settlement.PeriodStart)
                        .Instant("pe", settlement.PeriodEnd)
                        .Add("t", settlement.TargetTerahashHours)
                        .Add("d", settlement.DeliveredTerahashHours)
                        .Add("s", settlement.ShortfallTerahashHours)
                        .Add("tol", settlement.ToleratedTerahashHours)
                        .Add("mg", (int)settlement.MakeGood)
                        .Add("mgt", settlement.MakeGoodTerahashHours)
                        .Add("x", settlement.ExtraHours)
                        .Money("cr", settlement.Credit)
                        .Add("e", settlement.EnergyKilowattHours)
                        .Money("m", settlement.MaintenanceFee)
                        .Money("el", settlement.ElectricityCost)
                        .Add("p", settlement.PoolTerahashHours, DbType.Double)
                        .Instant("at", settlement.ClosedAt)
                        .Add("po", settlement.PoolObservedHours, DbType.Double),
                    cancellationToken);
            },
            cancellationToken);
        return inserted == 1;
    }

    public async Task<IReadOnlyList<ContractSettlement>> GetSettlementsAsync(string? contractId, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken) =>
        await ReadAsync(
            $"""
            SELECT contract_id, period_start, period_end, target_thh, delivered_thh, shortfall_thh, tolerated_thh, make_good, make_good_thh,
                   extra_hours, credit, energy_kwh, maintenance_fee, electricity_cost, pool_thh, closed_at, pool_observed_hours
            FROM settlements WHERE (@c IS NULL OR contract_id = @c) AND period_start >= @from AND period_start < @to
            ORDER BY period_start, contract_id {ByteOrder};
            """,
            p => p.Add("c", contractId, DbType.String).Instant("from", from).Instant("to", to),
            r => new ContractSettlement(
                r.GetString(0),
                ReadInstant(r, 1),
                ReadInstant(r, 2),
                r.GetDouble(3),
                r.GetDouble(4),
                r.GetDouble(5),
                r.GetDouble(6),
                (MakeGoodKind)r.GetInt32(7),
                r.GetDouble(8),
                r.GetDouble(9),
                ReadMoney(r, 10),
                r.GetDouble(11),
                ReadMoney(r, 12),
                ReadMoney(r, 13),
                r.IsDBNull(14) ? null : r.GetDouble(14),
                ReadInstant(r, 15),
                r.IsDBNull(16) ? null : r.GetDouble(16)),
            cancellationToken);
}
