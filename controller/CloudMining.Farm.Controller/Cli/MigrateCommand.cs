using System.CommandLine;
using CloudMining.Farm.Controller.Configuration;
using CloudMining.Farm.Controller.Hosting;
using CloudMining.Farm.Controller.Store;

namespace CloudMining.Farm.Controller.Cli;

/// <summary>The `farm-controller migrate` command: creates or upgrades the store (the SQLite file, or the configured PostgreSQL database) and prints its schema version.</summary>
internal static class MigrateCommand
{
    public static Command Create()
    {
        var db = new Option<string?>("--db") { Description = "Path of the SQLite database file (created when absent)." };
        var config = new Option<string?>("--config") { Description = "The controller's JSON config: migrates the store it names (Controller:Database, or Controller:Store:* for PostgreSQL)." };
        var command = new Command("migrate", "Create or upgrade the controller's store (SQLite file or PostgreSQL database).") { db, config };
        command.SetAction(async (parse, ct) =>
        {
            string? path = parse.GetValue(db);
            string? configFile = parse.GetValue(config);
            if ((path is null) == (configFile is null))
            {
                Console.Error.WriteLine("farm-controller migrate: give either --db PATH (a SQLite file) or --config FILE (the store the controller's config names).");
                return 2;
            }

            StoreOptions options;
            if (path is not null)
            {
                options = new StoreOptions { Database = path };
            }
            else
            {
                try
                {
                    options = ControllerHost.Bind(ControllerHost.LoadConfiguration(configFile)).Store;
                }
                catch (Exception ex) when (ex is ControllerConfigurationException or Influx.Client.InfluxConfigurationException)
                {
                    Console.Error.WriteLine($"farm-controller migrate: cannot read config '{Path.GetFullPath(configFile!)}':{Environment.NewLine}  {ex.Message}");
                    return RunCommand.ConfigErrorExitCode;
                }
            }

            try
            {
                await using IControllerStore store = await ControllerStores.OpenAsync(options, ct);
                Console.WriteLine($"{(path ?? ControllerStores.Describe(options))}: schema version {await store.GetSchemaVersionAsync(ct)}");
                return 0;
            }
            catch (InvalidOperationException ex)
            {
                Console.Error.WriteLine(ex.Message);
                return 1;
            }
        });
        return command;
    }
}
