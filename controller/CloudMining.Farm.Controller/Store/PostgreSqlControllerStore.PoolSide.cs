using CloudMining.Farm.Controller.PoolSide;
using CloudMining.Farm.Controller.Settlement;
using Npgsql;
using NpgsqlTypes;

namespace CloudMining.Farm.Controller.Store;

// Pool watches (the key is kept like the API token: in the database only, readable by the controller's role), the
// pool's hourly figures, discrepancies, settlement terms and closed settlements (migration 7; final by trigger).
public sealed partial class PostgreSqlControllerStore : IPoolSideStore, ISettlementStore
{
    public Task<IReadOnlyDictionary<string, PoolWatch>> GetPoolWatchesAsync(CancellationToken cancellationToken) =>
        ReadAsync<KeyValuePair<string, PoolWatch>, IReadOnlyDictionary<string, PoolWatch>>(
            "SELECT contract_id, kind, api_url, account, worker, api_key FROM contract_pool_watch ORDER BY contract_id COLLATE \"C\";",
            _ => { },
            r => new(r.GetString(0), PoolWatch.Create((PoolApiKind)r.GetInt32(1), r.GetString(2), r.GetString(4), PoolSecret.Of(r.GetString(5)), r.GetString(3))),
            list => list.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal),
            cancellationToken);

    public Task SetPoolWatchAsync(string contractId, PoolWatch? watch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(contractId);
        return InTransactionAsync(
            async (connection, tx) =>
            {
                await using NpgsqlCommand cmd = watch is null
                    ? Command(connection, tx, "DELETE FROM contract_pool_watch WHERE contract_id = @c;")
                    : Command(connection, tx, """
                        INSERT INTO contract_pool_watch (contract_id, kind, api_url, account, worker, api_key) VALUES (@c, @k, @u, @a, @w, @key)
                        ON CONFLICT (contract_id) DO UPDATE SET kind = EXCLUDED.kind, api_url = EXCLUDED.api_url, account = EXCLUDED.account,
                            worker = EXCLUDED.worker, api_key = EXCLUDED.api_key;
                        """);
                cmd.Parameters.AddWithValue("c", contractId);
                if (watch is not null)
                {
                    cmd.Parameters.AddWithValue("k", (int)watch.Kind);
                    cmd.Parameters.AddWithValue("u", watch.ApiUrl.AbsoluteUri);
                    cmd.Parameters.AddWithValue("a", watch.Account);
                    cmd.Parameters.AddWithValue("w", watch.Worker);
                    cmd.Parameters.AddWithValue("key", watch.Key.Reveal());
                }

                await cmd.ExecuteNonQueryAsync(cancellationToken);
            },
            cancellationToken);
    }

    public Task SavePoolSideHoursAsync(IReadOnlyList<PoolSideHour> hours, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(hours);
        return hours.Count == 0 ? Task.CompletedTask : InTransactionAsync(
            async (connection, tx) =>
            {
                foreach (PoolSideHour h in hours)
                {
                    await using NpgsqlCommand cmd = Command(connection, tx, """
                        INSERT INTO pool_side_hours (contract_id, hour, pool_thh, observed_s) VALUES (@c, @h, @t, @s)
                        ON CONFLICT (contract_id, hour) DO UPDATE SET pool_thh = EXCLUDED.pool_thh, observed_s = EXCLUDED.observed_s;
                        """);
                    cmd.Parameters.AddWithValue("c", h.ContractId);
                    cmd.Parameters.AddWithValue("h", Instant(h.Hour));
                    cmd.Parameters.AddWithValue("t", h.PoolTerahashHours);
                    cmd.Parameters.AddWithValue("s", h.ObservedSeconds);
                    await cmd.ExecuteNonQueryAsync(cancellationToken);
                }
            },
            cancellationToken);
    }

    public Task<IReadOnlyList<PoolSideHour>> GetPoolSideHoursAsync(string contractId, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken) =>
        ReadAsync<PoolSideHour, IReadOnlyList<PoolSideHour>>(
            "SELECT contract_id, hour, pool_thh, observed_s FROM pool_side_hours WHERE contract_id = @c AND hour >= @from AND hour < @to ORDER BY hour;",
            p =>
            {
                p.AddWithValue("c", contractId);
                p.AddWithValue("from", Instant(from));
                p.AddWithValue("to", Instant(to));
            },
            r => new PoolSideHour(r.GetString(0), ReadInstant(r, 1), r.GetDouble(2), r.GetDouble(3)),
            list => list,
            cancellationToken);

    public Task RecordDiscrepancyAsync(PoolDiscrepancy discrepancy, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(discrepancy);
        return InTransactionAsync(
            async (connection, tx) =>
            {
                await using NpgsqlCommand cmd = Command(connection, tx, """
                    INSERT INTO pool_discrepancies (contract_id, at, since, worker, ours_hs, pool_hs, deviation) VALUES (@c, @at, @since, @w, @o, @p, @d)
                    ON CONFLICT (contract_id, at) DO UPDATE SET since = EXCLUDED.since, worker = EXCLUDED.worker, ours_hs = EXCLUDED.ours_hs,
                        pool_hs = EXCLUDED.pool_hs, deviation = EXCLUDED.deviation;
                    """);
                cmd.Parameters.AddWithValue("c", discrepancy.ContractId);
                cmd.Parameters.AddWithValue("at", Instant(discrepancy.At));
                cmd.Parameters.AddWithValue("since", Instant(discrepancy.Since));
                cmd.Parameters.AddWithValue("w", discrepancy.Worker);
                cmd.Parameters.AddWithValue("o", discrepancy.OursHs);
                cmd.Parameters.AddWithValue("p", discrepancy.PoolHs);
                cmd.Parameters.AddWithValue("d", discrepancy.Deviation);
                await cmd.ExecuteNonQueryAsync(cancellationToken);
            },
            cancellationToken);
    }

    public Task<IReadOnlyList<PoolDiscrepancy>> GetDiscrepanciesAsync(string contractId, CancellationToken cancellationToken) =>
        ReadAsync<PoolDiscrepancy, IReadOnlyList<PoolDiscrepancy>>(
            "SELECT contract_id, worker, ours_hs, pool_hs, deviation, since, at FROM pool_discrepancies WHERE contract_id = @c ORDER BY at;",
            p => p.AddWithValue("c", contractId),
            r => new PoolDiscrepancy(r.GetString(0), r.GetString(1), r.GetDouble(2), r.GetDouble(3), r.GetDouble(4), ReadInstant(r, 5), ReadInstant(r, 6)),
            list => list,
            cancellationToken);

    public Task<IReadOnlyDictionary<string, SettlementTerms>> GetSettlementTermsAsync(CancellationToken cancellationToken) =>
        ReadAsync<KeyValuePair<string, SettlementTerms>, IReadOnlyDictionary<string, SettlementTerms>>(
            "SELECT contract_id, tolerance_percent, make_good, credit_per_thh FROM contract_settlement_terms ORDER BY contract_id COLLATE \"C\";",
            _ => { },
            r => new(r.GetString(0), SettlementTerms.Create(r.GetDouble(1), (MakeGoodKind)r.GetInt32(2), r.GetDecimal(3))),
            list => list.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal),
            cancellationToken);

    public Task SetSettlementTermsAsync(string contractId, SettlementTerms terms, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(contractId);
        ArgumentNullException.ThrowIfNull(terms);
        return InTransactionAsync(
            async (connection, tx) =>
            {
                await using NpgsqlCommand cmd = Command(connection, tx, """
                    INSERT INTO contract_settlement_terms (contract_id, tolerance_percent, make_good, credit_per_thh) VALUES (@c, @t, @m, @p)
                    ON CONFLICT (contract_id) DO UPDATE SET tolerance_percent = EXCLUDED.tolerance_percent, make_good = EXCLUDED.make_good,
                        credit_per_thh = EXCLUDED.credit_per_thh;
                    """);
                cmd.Parameters.AddWithValue("c", contractId);
                cmd.Parameters.AddWithValue("t", terms.TolerancePercent);
                cmd.Parameters.AddWithValue("m", (int)terms.MakeGood);
                cmd.Parameters.AddWithValue("p", terms.CreditPerTerahashHour);
                await cmd.ExecuteNonQueryAsync(cancellationToken);
            },
            cancellationToken);
    }

    public async Task<bool> CloseSettlementAsync(ContractSettlement settlement, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settlement);
        int inserted = 0;
        await InTransactionAsync(
            async (connection, tx) =>
            {
                // DO NOTHING: a period already closed keeps its row; the triggers refuse any UPDATE, DELETE or TRUNCATE of it.
                await using NpgsqlCommand cmd = Command(connection, tx, """
                    INSERT INTO settlements
                        (contract_id, period_start, period_end, target_thh, delivered_thh, shortfall_thh, tolerated_thh, make_good, make_good_thh,
                         extra_hours, credit, energy_kwh, maintenance_fee, electricity_cost, pool_thh, closed_at)
                    VALUES (@c, @ps, @pe, @t, @d, @s, @tol, @mg, @mgt, @x, @cr, @e, @m, @el, @p, @at)
                    ON CONFLICT (contract_id, period_start) DO NOTHING;
                    """);
                cmd.Parameters.AddWithValue("c", settlement.ContractId);
                cmd.Parameters.AddWithValue("ps", Instant(settlement.PeriodStart));
                cmd.Parameters.AddWithValue("pe", Instant(settlement.PeriodEnd));
                cmd.Parameters.AddWithValue("t", settlement.TargetTerahashHours);
                cmd.Parameters.AddWithValue("d", settlement.DeliveredTerahashHours);
                cmd.Parameters.AddWithValue("s", settlement.ShortfallTerahashHours);
                cmd.Parameters.AddWithValue("tol", settlement.ToleratedTerahashHours);
                cmd.Parameters.AddWithValue("mg", (int)settlement.MakeGood);
                cmd.Parameters.AddWithValue("mgt", settlement.MakeGoodTerahashHours);
                cmd.Parameters.AddWithValue("x", settlement.ExtraHours);
                cmd.Parameters.AddWithValue("cr", settlement.Credit);
                cmd.Parameters.AddWithValue("e", settlement.EnergyKilowattHours);
                cmd.Parameters.AddWithValue("m", settlement.MaintenanceFee);
                cmd.Parameters.AddWithValue("el", settlement.ElectricityCost);
                cmd.Parameters.Add(Nullable("p", NpgsqlDbType.Double, settlement.PoolTerahashHours));
                cmd.Parameters.AddWithValue("at", Instant(settlement.ClosedAt));
                inserted = await cmd.ExecuteNonQueryAsync(cancellationToken);
            },
            cancellationToken);
        return inserted == 1;
    }

    public Task<IReadOnlyList<ContractSettlement>> GetSettlementsAsync(string? contractId, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken) =>
        ReadAsync<ContractSettlement, IReadOnlyList<ContractSettlement>>(
            """
            SELECT contract_id, period_start, period_end, target_thh, delivered_thh, shortfall_thh, tolerated_thh, make_good, make_good_thh,
                   extra_hours, credit, energy_kwh, maintenance_fee, electricity_cost, pool_thh, closed_at
            FROM settlements WHERE (@c::text IS NULL OR contract_id = @c) AND period_start >= @from AND period_start < @to
            ORDER BY period_start, contract_id COLLATE "C";
            """,
            p =>
            {
                p.Add(Nullable("c", NpgsqlDbType.Text, contractId));
                p.AddWithValue("from", Instant(from));
                p.AddWithValue("to", Instant(to));
            },
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
                r.GetDecimal(10),
                r.GetDouble(11),
                r.GetDecimal(12),
                r.GetDecimal(13),
                r.IsDBNull(14) ? null : r.GetDouble(14),
                ReadInstant(r, 15)),
            list => list,
            cancellationToken);
}
