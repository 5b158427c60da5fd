namespace CloudMining.Farm.Controller.Store;

/// <summary>
/// The ordered schema migrations of the PostgreSQL store: one twin per <see cref="SqliteMigrations"/> step, with the
/// same version and name (a test fails when a SQLite step has no twin here). Append new steps, never edit applied ones.
/// </summary>
/// <remarks>
/// Adding the twin of a new SQLite step is mechanical: copy the entry here and translate the column types —
/// <list type="bullet">
/// <item>an id, name or other text: <c>TEXT</c> stays <c>TEXT</c>;</item>
/// <item>an instant (written by the SQLite store as ISO-8601 text): <c>TIMESTAMPTZ</c>;</item>
/// <item>a money amount (decimal written as text: fees, costs, credits): <c>NUMERIC</c>;</item>
/// <item><c>REAL</c>: <c>DOUBLE PRECISION</c>; <c>INTEGER</c>: <c>INTEGER</c> (<c>BIGINT</c> for versions and counters);</item>
/// <item>a SQLite trigger: a PL/pgSQL function and a <c>CREATE TRIGGER … EXECUTE FUNCTION</c>;</item>
/// <item><c>ALTER TABLE … ADD COLUMN</c> reads the same on both.</item>
/// </list>
/// Then add the new columns to the statements of <see cref="SqlControllerStore"/>, which both stores share (an instant
/// goes in with <c>Instant</c>, a money amount with <c>Money</c>) — the store tests run against both and show what is missing.
/// </remarks>
public static class PostgreSqlMigrations
{
    public static IReadOnlyList<PostgreSqlMigration> All { get; } =
    [
        new(1, "contracts", """
            CREATE TABLE contracts (
                id TEXT PRIMARY KEY,
                customer TEXT NOT NULL,
                target_hs DOUBLE PRECISION NOT NULL,
                pool_url TEXT NOT NULL,
                pool_worker TEXT NOT NULL,
                term_kind INTEGER NOT NULL,
                term_start TIMESTAMPTZ NOT NULL,
                term_end TIMESTAMPTZ NULL,
                negative_margin_days INTEGER NULL,
                maintenance_per_th_day NUMERIC NOT NULL,
                electricity_at_cost INTEGER NOT NULL
            );
            """),
        new(2, "allocation", """
            CREATE TABLE allocation_version (
                id INTEGER PRIMARY KEY CHECK (id = 1),
                version BIGINT NOT NULL
            );
            CREATE TABLE allocation_shares (
                miner_id TEXT NOT NULL,
                assignee TEXT NOT NULL,
                fraction DOUBLE PRECISION NOT NULL CHECK (fraction > 0 AND fraction <= 1),
                PRIMARY KEY (miner_id, assignee)
            );
            """),
        new(3, "ledger", """
            CREATE TABLE ledger (
                contract_id TEXT NOT NULL,
                hour TIMESTAMPTZ NOT NULL,
                target_thh DOUBLE PRECISION NOT NULL,
                delivered_thh DOUBLE PRECISION NOT NULL,
                shortfall_thh DOUBLE PRECISION NOT NULL,
                energy_kwh DOUBLE PRECISION NOT NULL,
                maintenance_fee NUMERIC NOT NULL,
                electricity_cost NUMERIC NOT NULL,
                PRIMARY KEY (contract_id, hour)
            );
            """),
        new(4, "engine", """
            CREATE TABLE drained_miners (
                miner_id TEXT PRIMARY KEY,
                since TIMESTAMPTZ NOT NULL
            );
            CREATE TABLE contract_endings (
                contract_id TEXT PRIMARY KEY,
                ended_at TIMESTAMPTZ NOT NULL,
                reason TEXT NOT NULL
            );
            CREATE TABLE ledger_open (
                contract_id TEXT NOT NULL,
                hour TIMESTAMPTZ NOT NULL,
                delivered_hashes DOUBLE PRECISION NOT NULL,
                energy_wh DOUBLE PRECISION NOT NULL,
                PRIMARY KEY (contract_id, hour)
            );
            CREATE TABLE engine_meta (
                key TEXT PRIMARY KEY,
                value TEXT NOT NULL
            );
            """),
        new(5, "known miners", """
            CREATE TABLE known_miners (
                miner_id TEXT PRIMARY KEY,
                rack TEXT NOT NULL,
                admitted_at TIMESTAMPTZ NOT NULL
            );
            """),

        // NULL allowance: protected (never curtailed), which every contract sold before this step is.
        new(6, "contract curtailment terms", """
            ALTER TABLE contracts ADD COLUMN curtail_allowance_hours DOUBLE PRECISION NULL;
            ALTER TABLE contracts ADD COLUMN curtail_period TEXT NULL;
            """),

        new(7, "pool side and settlement", """
            CREATE TABLE contract_pool_watch (
                contract_id TEXT PRIMARY KEY,
                kind INTEGER NOT NULL,
                api_url TEXT NOT NULL,
                account TEXT NOT NULL,
                worker TEXT NOT NULL,
                api_key TEXT NOT NULL
            );
            CREATE TABLE pool_side_hours (
                contract_id TEXT NOT NULL,
                hour TIMESTAMPTZ NOT NULL,
                pool_thh DOUBLE PRECISION NOT NULL,
                observed_s DOUBLE PRECISION NOT NULL,
                PRIMARY KEY (contract_id, hour)
            );
            CREATE TABLE pool_discrepancies (
                contract_id TEXT NOT NULL,
                at TIMESTAMPTZ NOT NULL,
                since TIMESTAMPTZ NOT NULL,
                worker TEXT NOT NULL,
                ours_hs DOUBLE PRECISION NOT NULL,
                pool_hs DOUBLE PRECISION NOT NULL,
                deviation DOUBLE PRECISION NOT NULL,
                PRIMARY KEY (contract_id, at)
            );
            CREATE TABLE contract_settlement_terms (
                contract_id TEXT PRIMARY KEY,
                tolerance_percent DOUBLE PRECISION NOT NULL,
                make_good INTEGER NOT NULL,
                credit_per_thh NUMERIC NOT NULL
            );
            CREATE TABLE settlements (
                contract_id TEXT NOT NULL,
                period_start TIMESTAMPTZ NOT NULL,
                period_end TIMESTAMPTZ NOT NULL,
                target_thh DOUBLE PRECISION NOT NULL,
                delivered_thh DOUBLE PRECISION NOT NULL,
                shortfall_thh DOUBLE PRECISION NOT NULL,
                tolerated_thh DOUBLE PRECISION NOT NULL,
                make_good INTEGER NOT NULL,
                make_good_thh DOUBLE PRECISION NOT NULL,
                extra_hours DOUBLE PRECISION NOT NULL,
                credit NUMERIC NOT NULL,
                energy_kwh DOUBLE PRECISION NOT NULL,
                maintenance_fee NUMERIC NOT NULL,
                electricity_cost NUMERIC NOT NULL,
                pool_thh DOUBLE PRECISION NULL,
                closed_at TIMESTAMPTZ NOT NULL,
                PRIMARY KEY (contract_id, period_start)
            );
            CREATE FUNCTION settlements_are_final() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP IN ('DELETE', 'TRUNCATE') THEN
                    RAISE EXCEPTION 'a closed settlement is final and cannot be deleted' USING ERRCODE = 'restrict_violation';
                END IF;
                RAISE EXCEPTION 'a closed settlement is final and cannot be changed' USING ERRCODE = 'restrict_violation';
            END;
            $$;
            CREATE TRIGGER settlements_are_final_update BEFORE UPDATE ON settlements
                FOR EACH ROW EXECUTE FUNCTION settlements_are_final();
            CREATE TRIGGER settlements_are_final_delete BEFORE DELETE ON settlements
                FOR EACH ROW EXECUTE FUNCTION settlements_are_final();
            CREATE TRIGGER settlements_are_final_truncate BEFORE TRUNCATE ON settlements
                FOR EACH STATEMENT EXECUTE FUNCTION settlements_are_final();
            """),

        // Curtailment accounting (issue 14): closed hours per assignee (a contract id or 'house'), the open hours, and
        // the operator's signals (one JSON document, so that a restart keeps them).
        new(8, "curtailment ledger and operator signals", """
            CREATE TABLE curtailment_ledger (
                assignee TEXT NOT NULL,
                hour TIMESTAMPTZ NOT NULL,
                curtailed_thh DOUBLE PRECISION NOT NULL,
                avoided_kwh DOUBLE PRECISION NOT NULL,
                PRIMARY KEY (assignee, hour)
            );
            CREATE TABLE curtailment_ledger_open (
                assignee TEXT NOT NULL,
                hour TIMESTAMPTZ NOT NULL,
                curtailed_thh DOUBLE PRECISION NOT NULL,
                avoided_kwh DOUBLE PRECISION NOT NULL,
                PRIMARY KEY (assignee, hour)
            );
            CREATE TABLE curtailment_signals (
                id INTEGER PRIMARY KEY CHECK (id = 1),
                signals_json TEXT NOT NULL
            );
            """),

        // The miners that served each contract-hour and their share (share × hours held) for `farmctl contracts proof`
        // and the proof page; rows are added to while the hour is open. Nothing else reads or depends on it.
        new(9, "ledger miner hours", """
            CREATE TABLE ledger_miner_hours (
                contract_id TEXT NOT NULL,
                hour TIMESTAMPTZ NOT NULL,
                miner_id TEXT NOT NULL,
                rack TEXT NOT NULL,
                share_hours DOUBLE PRECISION NOT NULL,
                delivered_thh DOUBLE PRECISION NOT NULL,
                PRIMARY KEY (contract_id, hour, miner_id)
            );
            """),

        // The serial number each miner's firmware reported while it served a contract-hour (farm.v1.miner-state's
        // serial), for the proof; NULL where the firmware gives none, shown as "unknown".
        new(10, "ledger miner serials", """
            ALTER TABLE ledger_miner_hours ADD COLUMN serial TEXT NULL;
            """),

        // The part of each curtailment-ledger hour an assignee was curtailed: a curtailable contract's allowance (hours
        // per period) is counted in it. Rows written before this step count 0.
        new(11, "curtailment ledger curtailed hours", """
            ALTER TABLE curtailment_ledger ADD COLUMN curtailed_hours DOUBLE PRECISION NOT NULL DEFAULT 0;
            ALTER TABLE curtailment_ledger_open ADD COLUMN curtailed_hours DOUBLE PRECISION NOT NULL DEFAULT 0;
            """),

        // How many hours of a settled period the pool watch covered: the period's pool figure counts only those. NULL
        // without a pool figure, and for periods closed before this step.
        new(12, "settlement pool coverage", """
            ALTER TABLE settlements ADD COLUMN pool_observed_hours DOUBLE PRECISION NULL;
            """),

        // The share × hours a miner held a contract's share while suspect (its readings outside the physical envelope,
        // its place kept for Readings:SuspectHold): suspect time, not service, shown as such by the proof. Rows written
        // before this step count 0.
        new(13, "ledger miner suspect hours", """
            ALTER TABLE ledger_miner_hours ADD COLUMN suspect_hours DOUBLE PRECISION NOT NULL DEFAULT 0;
            """),
    ];
}
