namespace CloudMining.Farm.Controller.Store;

/// <summary>The ordered schema migrations of the SQLite store; append new steps, never edit applied ones.</summary>
public static class SqliteMigrations
{
    public static IReadOnlyList<SqliteMigration> All { get; } =
    [
        new(1, "contracts", """
            CREATE TABLE contracts (
                id TEXT PRIMARY KEY,
                customer TEXT NOT NULL,
                target_hs REAL NOT NULL,
                pool_url TEXT NOT NULL,
                pool_worker TEXT NOT NULL,
                term_kind INTEGER NOT NULL,
                term_start TEXT NOT NULL,
                term_end TEXT NULL,
                negative_margin_days INTEGER NULL,
                maintenance_per_th_day TEXT NOT NULL,
                electricity_at_cost INTEGER NOT NULL
            );
            """),
        new(2, "allocation", """
            CREATE TABLE allocation_version (
                id INTEGER PRIMARY KEY CHECK (id = 1),
                version INTEGER NOT NULL
            );
            CREATE TABLE allocation_shares (
                miner_id TEXT NOT NULL,
                assignee TEXT NOT NULL,
                fraction REAL NOT NULL CHECK (fraction > 0 AND fraction <= 1),
                PRIMARY KEY (miner_id, assignee)
            );
            """),
        new(3, "ledger", """
            CREATE TABLE ledger (
                contract_id TEXT NOT NULL,
                hour TEXT NOT NULL,
                target_thh REAL NOT NULL,
                delivered_thh REAL NOT NULL,
                shortfall_thh REAL NOT NULL,
                energy_kwh REAL NOT NULL,
                maintenance_fee TEXT NOT NULL,
                electricity_cost TEXT NOT NULL,
                PRIMARY KEY (contract_id, hour)
            );
            """),
        new(4, "engine", """
            CREATE TABLE drained_miners (
                miner_id TEXT PRIMARY KEY,
                since TEXT NOT NULL
            );
            CREATE TABLE contract_endings (
                contract_id TEXT PRIMARY KEY,
                ended_at TEXT NOT NULL,
                reason TEXT NOT NULL
            );
            CREATE TABLE ledger_open (
                contract_id TEXT NOT NULL,
                hour TEXT NOT NULL,
                delivered_hashes REAL NOT NULL,
                energy_wh REAL NOT NULL,
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
                admitted_at TEXT NOT NULL
            );
            """),

        // NULL allowance: protected (never curtailed), which every contract sold before this step is.
        new(6, "contract curtailment terms", """
            ALTER TABLE contracts ADD COLUMN curtail_allowance_hours REAL NULL;
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
                hour TEXT NOT NULL,
                pool_thh REAL NOT NULL,
                observed_s REAL NOT NULL,
                PRIMARY KEY (contract_id, hour)
            );
            CREATE TABLE pool_discrepancies (
                contract_id TEXT NOT NULL,
                at TEXT NOT NULL,
                since TEXT NOT NULL,
                worker TEXT NOT NULL,
                ours_hs REAL NOT NULL,
                pool_hs REAL NOT NULL,
                deviation REAL NOT NULL,
                PRIMARY KEY (contract_id, at)
            );
            CREATE TABLE contract_settlement_terms (
                contract_id TEXT PRIMARY KEY,
                tolerance_percent REAL NOT NULL,
                make_good INTEGER NOT NULL,
                credit_per_thh TEXT NOT NULL
            );
            CREATE TABLE settlements (
                contract_id TEXT NOT NULL,
                period_start TEXT NOT NULL,
                period_end TEXT NOT NULL,
                target_thh REAL NOT NULL,
                delivered_thh REAL NOT NULL,
                shortfall_thh REAL NOT NULL,
                tolerated_thh REAL NOT NULL,
                make_good INTEGER NOT NULL,
                make_good_thh REAL NOT NULL,
                extra_hours REAL NOT NULL,
                credit TEXT NOT NULL,
                energy_kwh REAL NOT NULL,
                maintenance_fee TEXT NOT NULL,
                electricity_cost TEXT NOT NULL,
                pool_thh REAL NULL,
                closed_at TEXT NOT NULL,
                PRIMARY KEY (contract_id, period_start)
            );
            CREATE TRIGGER settlements_are_final_update BEFORE UPDATE ON settlements
            BEGIN SELECT RAISE(ABORT, 'a closed settlement is final and cannot be changed'); END;
            CREATE TRIGGER settlements_are_final_delete BEFORE DELETE ON settlements
            BEGIN SELECT RAISE(ABORT, 'a closed settlement is final and cannot be deleted'); END;
            """),

        // Curtailment accounting (issue 14): closed hours per assignee (a contract id or 'house'), the open hours, and
        // the operator's signals (one JSON document, so that a restart keeps them).
        new(8, "curtailment ledger and operator signals", """
            CREATE TABLE curtailment_ledger (
                assignee TEXT NOT NULL,
                hour TEXT NOT NULL,
                curtailed_thh REAL NOT NULL,
                avoided_kwh REAL NOT NULL,
                PRIMARY KEY (assignee, hour)
            );
            CREATE TABLE curtailment_ledger_open (
                assignee TEXT NOT NULL,
                hour TEXT NOT NULL,
                curtailed_thh REAL NOT NULL,
                avoided_kwh REAL NOT NULL,
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
                hour TEXT NOT NULL,
                miner_id TEXT NOT NULL,
                rack TEXT NOT NULL,
                share_hours REAL NOT NULL,
                delivered_thh REAL NOT NULL,
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
            ALTER TABLE curtailment_ledger ADD COLUMN curtailed_hours REAL NOT NULL DEFAULT 0;
            ALTER TABLE curtailment_ledger_open ADD COLUMN curtailed_hours REAL NOT NULL DEFAULT 0;
            """),

        // How many hours of a settled period the pool watch covered: the period's pool figure counts only those. NULL
        // without a pool figure, and for periods closed before this step.
        new(12, "settlement pool coverage", """
            ALTER TABLE settlements ADD COLUMN pool_observed_hours REAL NULL;
            """),

        // The share × hours a miner held a contract's share while suspect (its readings outside the physical envelope,
        // its place kept for Readings:SuspectHold): suspect time, not service, shown as such by the proof. Rows written
        // before this step count 0.
        new(13, "ledger miner suspect hours", """
            ALTER TABLE ledger_miner_hours ADD COLUMN suspect_hours REAL NOT NULL DEFAULT 0;
            """),
    ];
}
