namespace CloudMining.Farm.Controller.Store;

/// <summary>The controller store: the SQLite file, read from the "Controller" section (Controller:Database).</summary>
public sealed class StoreOptions
{
    /// <summary>The section its key lives in (at the top of Controller, where existing files have it).</summary>
    public const string SectionName = "Controller";

    public const string DefaultDatabase = "farm-controller.db";

    /// <summary>SQLite file of the controller store; the API token and the history spill folder default to beside it.</summary>
    public string Database { get; set; } = DefaultDatabase;

    /// <summary>The folder of <see cref="Database"/> (absolute), where files that belong with the store go by default.</summary>
    public string Directory() => Path.GetDirectoryName(Path.GetFullPath(Database)) ?? ".";
}
