using CloudMining.Farm.Controller.Configuration;
using CloudMining.Farm.Controller.Hosting;
using CloudMining.Farm.Controller.Store;
using Xunit;

namespace CloudMining.Farm.Tests.Controller.Configuration;

/// <summary>Controller:Store:Provider and Controller:Store:ConnectionString: checked at start, each problem named by its key, the password never shown.</summary>
public sealed class StoreProviderOptionsTests
{
    private const string Password = "Hunter2-in-the-string";

    [Fact]
    public void Sqlite_is_the_default_and_postgresql_is_chosen_by_the_provider_key()
    {
        Assert.False(Bind().Store.IsPostgreSql);
        ControllerSettings pg = Bind(("Controller:Store:Provider", "PostgreSQL"), ("Controller:Store:ConnectionString", $"Host=db1;Port=5433;Database=farm;Username=ctl;Password={Password}"));
        Assert.True(pg.Store.IsPostgreSql);
        Assert.Equal("postgresql://ctl@db1:5433/farm", ControllerStores.Describe(pg.Store));
        Assert.Empty(ControllerHost.UnknownKeys(ControllerHost.LoadConfiguration(null, new Dictionary<string, string?>
        {
            ["Controller:Site"] = "s1",
            ["Controller:Store:Provider"] = "postgresql",
            ["Controller:Store:ConnectionString"] = "Host=db1;Database=farm",
        })));
    }

    [Fact]
    public void An_unknown_provider_is_named_by_its_key_with_the_choices()
    {
        var e = Assert.Throws<ControllerConfigurationException>(() => Bind(("Controller:Store:Provider", "mysql")));
        Assert.Equal("Controller:Store:Provider", e.Setting);
        Assert.Contains("'mysql'", e.Message, StringComparison.Ordinal);
        Assert.Contains("\"postgresql\"", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, "is empty")]
    [InlineData("Database=farm;Password=" + Password, "names no Host")]
    [InlineData("Host=db1;Password=" + Password, "names no Database")]
    [InlineData("Host=db1;Database=farm;Password=" + Password + ";Port=notaport", "is not a valid PostgreSQL connection string")]
    [InlineData("Host=db1;Database=farm;Password=" + Password + ";Bogus=1", "is not a valid PostgreSQL connection string")]
    public void A_bad_connection_string_is_named_by_its_key_and_never_echoes_the_password(string? connectionString, string expected)
    {
        var e = Assert.Throws<ControllerConfigurationException>(() => Bind(("Controller:Store:Provider", "postgresql"), ("Controller:Store:ConnectionString", connectionString)));

        Assert.Equal("Controller:Store:ConnectionString", e.Setting);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, e.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_connection_string_with_the_sqlite_provider_is_a_mistake_worth_naming()
    {
        var e = Assert.Throws<ControllerConfigurationException>(() => Bind(("Controller:Store:ConnectionString", $"Host=db1;Database=farm;Password={Password}")));
        Assert.Equal("Controller:Store:ConnectionString", e.Setting);
        Assert.DoesNotContain(Password, e.ToString(), StringComparison.Ordinal);
    }

    private static ControllerSettings Bind(params (string Key, string? Value)[] values)
    {
        var all = new Dictionary<string, string?> { ["Controller:Site"] = "s1" };
        foreach ((string key, string? value) in values)
        {
            all[key] = value;
        }

        return ControllerHost.Bind(ControllerHost.LoadConfiguration(null, all));
    }
}
