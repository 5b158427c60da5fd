using CloudMining.Farm.Influx.Client;
using CloudMining.Farm.Tests.Infrastructure;
using Xunit;
using InfluxDB.Client.Writes;

namespace CloudMining.Farm.Tests.Influx;

/// <summary>Bad settings meet a real influxd with auth on: each fails before the first write, naming the key and the fix, never echoing a secret.</summary>
[Trait("Category", "Integration")]
public sealed class InfluxConfigurationTests : IAsyncLifetime
{
    private const string WrongPassword = "not-the-Password-42";
    private InfluxdServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await InfluxdServer.StartAsync(authEnabled: true);
        await _server.CreateDatabaseAsync("farm");
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Theory]
    [InlineData(InfluxV1AuthMethod.Basic)]
    [InlineData(InfluxV1AuthMethod.QueryParameters)]
    public async Task Right_credentials_write_with_either_auth_method(InfluxV1AuthMethod method)
    {
        using var client = new InfluxDBClient(Options(InfluxdServer.AdminPassword, method));
        await client.GetWriteApiAsync().WritePointAsync(PointData.Measurement("auth").Tag("method", method.ToString()).Field("ok", true));

        var rows = InfluxQueryResult.Rows(await _server.QueryAsync("farm", $"SELECT ok FROM auth WHERE \"method\" = '{method}'"));
        Assert.Single(rows);
    }

    [Theory]
    [InlineData(InfluxV1AuthMethod.Basic)]
    [InlineData(InfluxV1AuthMethod.QueryParameters)]
    public async Task Wrong_password_names_the_setting_and_never_shows_the_secret(InfluxV1AuthMethod method)
    {
        using var client = new InfluxDBClient(Options(WrongPassword, method));

        var ex = await Assert.ThrowsAsync<InfluxConfigurationException>(() => client.GetWriteApiAsync().WritePointAsync(PointData.Measurement("m").Field("f", 1L)));

        Assert.Equal("Influx:Password", ex.Setting);
        Assert.Contains("Influx:Username and Influx:Password", ex.Message, StringComparison.Ordinal);
        Assert.Contains("401", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(WrongPassword, ex.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_database_names_Influx_Database_and_how_to_create_it()
    {
        InfluxDBClientOptions options = Options(InfluxdServer.AdminPassword, InfluxV1AuthMethod.Basic);
        options.Database = "nosuchdb";
        using var client = new InfluxDBClient(options);

        var ex = await Assert.ThrowsAsync<InfluxConfigurationException>(() => client.VerifyConnectionAsync());

        Assert.Equal("Influx:Database", ex.Setting);
        Assert.Contains("no database \"nosuchdb\"", ex.Message, StringComparison.Ordinal);
        Assert.Contains("CREATE DATABASE", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Url_where_nothing_listens_names_Influx_Url()
    {
        InfluxDBClientOptions options = Options(InfluxdServer.AdminPassword, InfluxV1AuthMethod.QueryParameters);
        options.Url = $"http://127.0.0.1:{FreeTcpPort.Next()}";
        using var client = new InfluxDBClient(options);

        var ex = await Assert.ThrowsAsync<InfluxConfigurationException>(() => client.CreateWriteApiAsync());

        Assert.Equal("Influx:Url", ex.Setting);
        Assert.Contains("Cannot reach InfluxDB", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(InfluxdServer.AdminPassword, ex.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Url_that_is_not_the_influx_api_names_Influx_Url()
    {
        InfluxDBClientOptions options = Options(InfluxdServer.AdminPassword, InfluxV1AuthMethod.Basic);
        options.Url = _server.Url + "/not-influx";
        using var client = new InfluxDBClient(options);

        var ex = await Assert.ThrowsAsync<InfluxConfigurationException>(() => client.VerifyConnectionAsync());

        Assert.Equal("Influx:Url", ex.Setting);
        Assert.Contains("404", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "Influx:Url")]
    [InlineData("127.0.0.1:8086", "Influx:Url")]
    [InlineData("ftp://127.0.0.1:8086", "Influx:Url")]
    [InlineData("http://admin:pw@127.0.0.1:8086", "Influx:Url")]
    public void Malformed_url_is_refused_before_anything_is_sent(string url, string setting)
    {
        var ex = Assert.Throws<InfluxConfigurationException>(() => new InfluxDBClient(new InfluxDBClientOptions { Url = url, Database = "farm" }));
        Assert.Equal(setting, ex.Setting);
        Assert.DoesNotContain(":pw@", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void V1_without_database_and_v2_without_bucket_or_org_name_the_missing_key()
    {
        Assert.Equal("Influx:Database", Assert.Throws<InfluxConfigurationException>(() => new InfluxDBClient(new InfluxDBClientOptions { Url = "http://127.0.0.1:1" })).Setting);
        Assert.Equal("Influx:Bucket", Assert.Throws<InfluxConfigurationException>(() => new InfluxDBClient(new InfluxDBClientOptions { Url = "http://127.0.0.1:1", ApiVersion = InfluxApiVersion.V2, Org = "o" })).Setting);
        Assert.Equal("Influx:Org", Assert.Throws<InfluxConfigurationException>(() => new InfluxDBClient(new InfluxDBClientOptions { Url = "http://127.0.0.1:1", ApiVersion = InfluxApiVersion.V2, Bucket = "b" })).Setting);
        Assert.Equal("Influx:Password", Assert.Throws<InfluxConfigurationException>(() => new InfluxDBClient(new InfluxDBClientOptions { Url = "http://127.0.0.1:1", Database = "d", Username = "u" })).Setting);
    }

    [Fact]
    public void Options_description_never_contains_password_or_token()
    {
        var options = new InfluxDBClientOptions { Url = "http://h:8086", Database = "d", Username = "u", Password = "pw-Secret", Token = "tok-Secret" };
        Assert.DoesNotContain("Secret", options.ToString(), StringComparison.Ordinal);
    }

    private InfluxDBClientOptions Options(string password, InfluxV1AuthMethod method) => new()
    {
        Url = _server.Url,
        Database = "farm",
        Username = InfluxdServer.AdminUser,
        Password = password,
        AuthMethod = method,
    };
}
