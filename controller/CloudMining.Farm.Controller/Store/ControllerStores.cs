namespace CloudMining.Farm.Controller.Store;

/// <summary>Opens the store the configuration names: the SQLite file or the PostgreSQL database.</summary>
public static class ControllerStores
{
    /// <summary>Opens (creating or upgrading the schema) the store of <paramref name="options"/>; errors are <see cref="InvalidOperationException"/> with what to fix.</summary>
    public static async Task<IControllerStore> OpenAsync(StoreOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.IsPostgreSql
            ? await PostgreSqlControllerStore.OpenAsync(options.Store.ConnectionString!, cancellationToken)
            : await SqliteControllerStore.OpenAsync(options.Database, cancellationToken);
    }

    /// <summary>Where the store is, for logs and farmctl: the SQLite path, or the PostgreSQL server and database without the password.</summary>
    public static string Describe(StoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!options.IsPostgreSql)
        {
            return Path.GetFullPath(options.Database);
        }

        try
        {
            return PostgreSqlControllerStore.Describe(new Npgsql.NpgsqlConnectionStringBuilder(options.Store.ConnectionString));
        }
        catch (ArgumentException)
        {
            return "postgresql (connection string not readable)";
        }
    }
}
