using System.CommandLine;
using CloudMining.Farm.Controller.Store;

namespace CloudMining.Farm.Controller.Cli;

/// <summary>The `farm-controller migrate` command: creates or upgrades the SQLite store and prints its schema version.</summary>
internal static class MigrateCommand
{
    public static Command Create()
    {
        var db = new Option<string>("--db") { Description = "Path of the SQLite database file (created when absent).", Required = true };
        var command = new Command("migrate", "Create or upgrade the controller's SQLite store.") { db };
        command.SetAction(async (parse, ct) =>
        {
            string path = parse.GetValue(db)!;
            try
            {
                await using SqliteControllerStore store = await SqliteControllerStore.OpenAsync(path, ct);
                Console.WriteLine($"{path}: schema version {await store.GetSchemaVersionAsync(ct)}");
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
