using CloudMining.Farm.Controller.Configuration;
using CloudMining.Farm.Controller.Hosting;
using CloudMining.Farm.Influx.Client;
using Xunit;

namespace CloudMining.Farm.Tests.Controller.Ingest;

/// <summary>farm-controller run's configuration: defaults run without InfluxDB, and a bad key is named at start.</summary>
public sealed class ControllerConfigurationTests
{
    [Fact]
    public void Defaults_with_a_site_validate_with_history_off()
    {
        ControllerSettings settings = ControllerHost.Bind(ControllerHost.LoadConfiguration(null, Pairs(("Controller:Site", "s1"))));
        Assert.False(settings.Influx.Enabled);
        Assert.Equal("s1", settings.Controller.Site);
        Assert.Null(settings.InfluxWrite.SpillDirectory);
    }

    [Fact]
    public void A_missing_site_is_an_error_not_a_default()
    {
        var e = Assert.Throws<ControllerConfigurationException>(() => ControllerHost.Bind(ControllerHost.LoadConfiguration(null)));
        Assert.Equal("Controller:Site", e.Setting);
        Assert.Contains("is missing", e.Message, StringComparison.Ordinal);
        Assert.Contains("\"Site\": \"s1\"", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_value_of_the_wrong_type_names_its_key_and_what_to_write()
    {
        var e = Assert.Throws<ControllerConfigurationException>(() => ControllerHost.Bind(ControllerHost.LoadConfiguration(null, Pairs(("Controller:Site", "s1"), ("Controller:Mqtt:Port", "eighteen")))));
        Assert.Equal("Controller:Mqtt:Port", e.Setting);
        Assert.Contains("'eighteen'", e.Message, StringComparison.Ordinal);
        Assert.Contains("whole number", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_api_token_file_defaults_to_beside_the_database()
    {
        string dir = Path.Combine(Path.GetTempPath(), "ctl-cfg-token");
        ControllerSettings settings = ControllerHost.Bind(ControllerHost.LoadConfiguration(null, Pairs(("Controller:Site", "s1"), ("Controller:Database", Path.Combine(dir, "c.db")))));
        Assert.Equal(Path.Combine(dir, "api-token"), settings.Api.TokenFile);
    }

    [Fact]
    public void Unknown_keys_are_named_with_the_nearest_known_key()
    {
        IReadOnlyList<CloudMining.Farm.Shared.Configuration.UnknownConfigurationKey> unknown = ControllerHost.UnknownKeys(ControllerHost.LoadConfiguration(null, Pairs(
            ("Controller:Site", "s1"), ("Controller:Mqtt:Hots", "broker"), ("Controller:Engine:IntervallS", "5"), ("Influx:Write:BatchSize", "10"), ("Influx:Databse", "farm"))));
        Assert.Equal(
            [
                "Controller:Engine:IntervallS is not a known key and is ignored; did you mean Controller:Engine:IntervalS?",
                "Controller:Mqtt:Hots is not a known key and is ignored; did you mean Controller:Mqtt:Host?",
                "Influx:Databse is not a known key and is ignored; did you mean Influx:Database?",
            ],
            unknown.Select(u => u.Message).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Enabled_history_with_a_bad_url_names_Influx_Url()
    {
        var e = Assert.Throws<ControllerConfigurationException>(() => ControllerHost.Bind(ControllerHost.LoadConfiguration(null, Pairs(("Controller:Site", "s1"), ("Influx:Enabled", "true"), ("Influx:Url", "influx:8086")))));
        Assert.Equal("Influx:Url", e.Setting);
        Assert.StartsWith("Influx:Url: \"influx:8086\" is not an absolute http:// or https:// URL", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Disabled_history_ignores_an_unusable_url()
    {
        ControllerSettings settings = ControllerHost.Bind(ControllerHost.LoadConfiguration(null, Pairs(("Controller:Site", "s1"), ("Influx:Url", "influx:8086"))));
        Assert.False(settings.Influx.Enabled);
    }

    [Fact]
    public void Enabled_history_spills_beside_the_database_by_default()
    {
        string dir = Path.Combine(Path.GetTempPath(), "ctl-cfg");
        ControllerSettings settings = ControllerHost.Bind(ControllerHost.LoadConfiguration(null, Pairs(
            ("Controller:Site", "s1"), ("Influx:Enabled", "true"), ("Influx:Url", "http://127.0.0.1:8086"), ("Influx:Database", "farm"), ("Controller:Database", Path.Combine(dir, "c.db")))));
        Assert.Equal(Path.Combine(dir, "influx-spill"), settings.InfluxWrite.SpillDirectory);
    }

    [Theory]
    [InlineData("Controller:Mqtt:Port", "0", "Controller:Mqtt:Port")]
    [InlineData("Controller:Mqtt:Host", "", "Controller:Mqtt:Host")]
    [InlineData("Controller:Site", "s/1", "Controller:Site")]
    [InlineData("Controller:Mqtt:Password", "hunter2", "Controller:Mqtt:Username")]
    public void Bad_controller_keys_are_named(string key, string value, string setting)
    {
        var e = Assert.Throws<ControllerConfigurationException>(() => ControllerHost.Bind(ControllerHost.LoadConfiguration(null, new Dictionary<string, string?> { ["Controller:Site"] = "s1", [key] = value })));
        Assert.Equal(setting, e.Setting);
        Assert.StartsWith(setting, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_config_file_is_named()
    {
        var e = Assert.Throws<ControllerConfigurationException>(() => ControllerHost.LoadConfiguration("/nonexistent/controller.json"));
        Assert.Equal("--config", e.Setting);
        Assert.Contains("/nonexistent/controller.json", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_mqtt_password_is_bound_but_never_printed()
    {
        ControllerSettings settings = ControllerHost.Bind(ControllerHost.LoadConfiguration(null, Pairs(("Controller:Site", "s1"), ("Controller:Mqtt:Username", "controller"), ("Controller:Mqtt:Password", "s3cret-pw"))));
        Assert.Equal("s3cret-pw", settings.Controller.Mqtt.Password);
        Assert.DoesNotContain("s3cret-pw", settings.Controller.Mqtt.ToString(), StringComparison.Ordinal);
        Assert.Contains("controller", settings.Controller.Mqtt.ToString(), StringComparison.Ordinal);
    }

    private static KeyValuePair<string, string?>[] Pairs(params (string Key, string? Value)[] pairs) =>
        [.. pairs.Select(p => new KeyValuePair<string, string?>(p.Key, p.Value))];
}
