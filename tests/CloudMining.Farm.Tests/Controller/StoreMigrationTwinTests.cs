using CloudMining.Farm.Controller.Store;
using Xunit;

namespace CloudMining.Farm.Tests.Controller;

/// <summary>Every SQLite migration has its PostgreSQL twin (PostgreSqlMigrations.cs says how to write one), in the same order.</summary>
public sealed class StoreMigrationTwinTests
{
    [Fact]
    public void Every_sqlite_migration_has_a_postgresql_twin_with_the_same_version_and_name()
    {
        var twins = PostgreSqlMigrations.All.ToDictionary(m => m.Version);
        foreach (SqliteMigration m in SqliteMigrations.All)
        {
            Assert.True(
                twins.TryGetValue(m.Version, out PostgreSqlMigration? twin),
                $"SQLite migration {m.Version} '{m.Name}' has no PostgreSQL twin: add new({m.Version}, \"{m.Name}\", \"\"\"…\"\"\") to PostgreSqlMigrations.All (controller/CloudMining.Farm.Controller/Store/PostgreSqlMigrations.cs) with the column types translated as its remarks say.");
            Assert.Equal(m.Name, twin!.Name);
        }

        Assert.Equal(SqliteMigrations.All.Select(m => m.Version), PostgreSqlMigrations.All.Select(m => m.Version));
    }

    [Fact]
    public void Migrations_are_numbered_one_up_without_gaps()
    {
        Assert.Equal(Enumerable.Range(1, SqliteMigrations.All.Count), SqliteMigrations.All.Select(m => m.Version));
        Assert.Equal(Enumerable.Range(1, PostgreSqlMigrations.All.Count), PostgreSqlMigrations.All.Select(m => m.Version));
    }
}
