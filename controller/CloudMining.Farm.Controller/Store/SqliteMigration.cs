namespace CloudMining.Farm.Controller.Store;

/// <summary>One ordered schema step; applied once, inside a transaction, and recorded in schema_migrations.</summary>
public sealed record SqliteMigration(int Version, string Name, string Sql);
