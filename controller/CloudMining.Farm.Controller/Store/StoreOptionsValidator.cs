using CloudMining.Farm.Controller.Configuration;
using Microsoft.Extensions.Options;
using Npgsql;

namespace CloudMining.Farm.Controller.Store;

/// <summary>Checks the store's keys (Controller:Database, Controller:Store:*) at start; no message ever carries the password.</summary>
public sealed class StoreOptionsValidator : IValidateOptions<StoreOptions>
{
    public ValidateOptionsResult Validate(string? name, StoreOptions options)
    {
        var errors = new ConfigurationErrors();
        Check(options, errors);
        return errors.ToResult();
    }

    /// <summary>Adds every problem of <paramref name="options"/> to <paramref name="errors"/>.</summary>
    public static void Check(StoreOptions options, ConfigurationErrors errors)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(errors);
        if (string.IsNullOrWhiteSpace(options.Database))
        {
            errors.Add("Controller:Database", "is empty; set the path of the controller's SQLite file, e.g. \"/var/lib/farm-controller/controller.db\".");
        }
        else if (options.Database.IndexOfAny(Path.GetInvalidPathChars()) >= 0)
        {
            errors.Add("Controller:Database", $"'{options.Database}' is not a usable path; set the path of the controller's SQLite file.");
        }

        TimeSpan retry = options.Leadership?.Retry() ?? Leadership.LeadershipOptions.DefaultRetryInterval;
        if (retry < TimeSpan.FromMilliseconds(100) || retry > TimeSpan.FromSeconds(10))
        {
            errors.Add("Controller:Leadership:RetryInterval", $"{retry} is outside 00:00:00.1 to 00:00:10; the standby takes over within about this interval (the failover must stay under 30 s), e.g. \"00:00:02\".");
        }

        if (options.Leadership?.AdvertiseApiUrl is { Length: > 0 } advertised && !Uri.TryCreate(advertised, UriKind.Absolute, out _))
        {
            errors.Add("Controller:Leadership:AdvertiseApiUrl", $"'{advertised}' is not an absolute URL; set the address farmctl reaches this instance's API at, e.g. \"http://ctl-a.farm.lan:8650\".");
        }

        StoreBackendOptions backend = options.Store ?? new StoreBackendOptions();
        if (StoreBackendOptions.IsPostgreSql(backend.Provider))
        {
            CheckConnectionString(backend.ConnectionString, errors);
        }
        else if (!StoreBackendOptions.IsSqlite(backend.Provider))
        {
            errors.Add("Controller:Store:Provider", $"'{backend.Provider}' is not a store provider; set \"sqlite\" (the file Controller:Database) or \"postgresql\" (with Controller:Store:ConnectionString).");
        }
        else if (!string.IsNullOrWhiteSpace(backend.ConnectionString))
        {
            errors.Add("Controller:Store:ConnectionString", "is set but Controller:Store:Provider is sqlite, which does not use it; set the provider to \"postgresql\" or remove the connection string.");
        }
    }

    private static void CheckConnectionString(string? connectionString, ConfigurationErrors errors)
    {
        const string Key = "Controller:Store:ConnectionString";
        const string Example = "e.g. \"Host=db1;Port=5432;Database=farm;Username=farm_controller;Passfile=/etc/farm-controller/pgpass\"";
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            errors.Add(Key, $"is empty but Controller:Store:Provider is postgresql; set the PostgreSQL connection string, {Example}.");
            return;
        }

        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidCastException or OverflowException)
        {
            // The parser's message may quote a value; only its kind is shown, so a password in the string never reaches the log.
            errors.Add(Key, $"is not a valid PostgreSQL connection string ({e.GetType().Name}: check each Key=Value pair); write it as {Example}.");
            return;
        }

        if (string.IsNullOrWhiteSpace(builder.Host))
        {
            errors.Add(Key, $"names no Host; add the PostgreSQL server, {Example}.");
        }

        if (string.IsNullOrWhiteSpace(builder.Database))
        {
            errors.Add(Key, $"names no Database; add the database that holds the store, {Example}.");
        }
    }
}
