namespace CloudMining.Farm.Controller.Store;

/// <summary>The PostgreSQL twin of the <see cref="SqliteMigration"/> with the same version and name; applied once, inside a transaction, and recorded in schema_migrations.</summary>
public sealed record PostgreSqlMigration(int Version, string Name, string Sql);
