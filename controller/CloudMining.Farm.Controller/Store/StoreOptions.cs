namespace CloudMining.Farm.Controller.Store;

/// <summary>
/// The controller store, read from the "Controller" section: the SQLite file (Controller:Database), or a PostgreSQL
/// database (Controller:Store:Provider = postgresql and Controller:Store:ConnectionString).
/// </summary>
public sealed class StoreOptions
{
    /// <summary>The section its key lives in (at the top of Controller, where existing files have it).</summary>
    public const string SectionName = "Controller";

    public const string DefaultDatabase = "farm-controller.db";

    /// <summary>
    /// SQLite file of the controller store; the API token and the history spill folder default to beside it. With
    /// PostgreSQL it names no database, only that folder (its default: the working directory).
    /// </summary>
    public string Database { get; set; } = DefaultDatabase;

    /// <summary>Which database holds the store (Controller:Store:*).</summary>
    public StoreBackendOptions Store { get; set; } = new();

    /// <summary>Leader and standby on a PostgreSQL store (Controller:Leadership:*).</summary>
    public global::CloudMining.Farm.Controller.Leadership.LeadershipOptions Leadership { get; set; } = new();

    /// <summary>True when the store is on PostgreSQL.</summary>
    public bool IsPostgreSql => StoreBackendOptions.IsPostgreSql(Store.Provider);

    /// <summary>The folder of <see cref="Database"/> (absolute), where files that belong with the store go by default.</summary>
    public string Directory() => Path.GetDirectoryName(Path.GetFullPath(Database)) ?? ".";
}

/// <summary>The store's database: Controller:Store:Provider (sqlite | postgresql) and, for PostgreSQL, its connection string.</summary>
public sealed class StoreBackendOptions
{
    public const string Sqlite = "sqlite";

    public const string PostgreSql = "postgresql";

    /// <summary>sqlite (the default: the file Controller:Database) or postgresql.</summary>
    public string Provider { get; set; } = Sqlite;

    /// <summary>
    /// An Npgsql connection string ("Host=db1;Port=5432;Database=farm;Username=farm_controller;Passfile=/etc/farm-controller/pgpass").
    /// The password may be in it (then keep the file mode 600, or set FARM_CONTROLLER_Controller__Store__ConnectionString),
    /// or in a pgpass file named by Passfile; it is never logged.
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>True for the PostgreSQL provider names (case-insensitive; "postgres" is accepted too).</summary>
    public static bool IsPostgreSql(string? provider) =>
        string.Equals(provider?.Trim(), PostgreSql, StringComparison.OrdinalIgnoreCase) || string.Equals(provider?.Trim(), "postgres", StringComparison.OrdinalIgnoreCase);

    /// <summary>True for the SQLite provider name (case-insensitive; empty means SQLite).</summary>
    public static bool IsSqlite(string? provider) =>
        string.IsNullOrWhiteSpace(provider) || string.Equals(provider.Trim(), Sqlite, StringComparison.OrdinalIgnoreCase);
}
