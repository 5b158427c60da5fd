using CloudMining.Farm.Controller.Configuration;
using CloudMining.Farm.Controller.Hosting;
using CloudMining.Farm.Influx.Client;
using Xunit;

namespace CloudMining.Farm.Tests.Controller.Ingest;

/// <summary>farm-controller run's configuration: defaults run without InfluxDB, and a bad key is named at start.</summary>
public sealed class ControllerConfigurationTests
{
    [Fact]
    public void Defaults_validate_with_history_off()
    {
        ControllerSettings settings = ControllerHost.Bind(ControllerHost.LoadConfiguration(null));
        Assert.False(settings.Influx.Enabled);
        Assert.Equal("s1", settings.Controller.Site);
        Assert.Null(settings.InfluxWrite.SpillDirectory);
    }

    [Fact]
    public void Enabled_history_with_a_bad_url_names_Influx_Url()
    {
        var e = Assert.Throws<InfluxConfigurationException>(() => ControllerHost.Bind(ControllerHost.LoadConfiguration(null, Pairs(("Influx:Enabled", "true"), ("Influx:Url", "influx:8086")))));
        Assert.Equal("Influx:Url", e.Setting);
        Assert.Contains("Influx:Url", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Disabled_history_ignores_an_unusable_url()
    {
        ControllerSettings settings = ControllerHost.Bind(ControllerHost.LoadConfiguration(null, Pairs(("Influx:Url", "influx:8086"))));
        Assert.False(settings.Influx.Enabled);
    }

    [Fact]
    public void Enabled_history_spills_beside_the_database_by_default()
    {
        string dir = Path.Combine(Path.GetTempPath(), "ctl-cfg");
        ControllerSettings settings = ControllerHost.Bind(ControllerHost.LoadConfiguration(null, Pairs(
            ("Influx:Enabled", "true"), ("Influx:Url", "http://127.0.0.1:8086"), ("Influx:Database", "farm"), ("Controller:Database", Path.Combine(dir, "c.db")))));
        Assert.Equal(Path.Combine(dir, "influx-spill"), settings.InfluxWrite.SpillDirectory);
    }

    [Theory]
    [InlineData("Controller:Mqtt:Port", "0", "Controller:Mqtt:Port")]
    [InlineData("Controller:Mqtt:Host", "", "Controller:Mqtt:Host")]
    [InlineData("Controller:Site", "s/1", "Controller:Site")]
    [InlineData("Controller:Mqtt:Password", "hunter2", "Controller:Mqtt:Username")]
    public void Bad_controller_keys_are_named(string key, string value, string setting)
    {
        var e = Assert.Throws<ControllerConfigurationException>(() => ControllerHost.Bind(ControllerHost.LoadConfiguration(null, Pairs((key, value)))));
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
        ControllerSettings settings = ControllerHost.Bind(ControllerHost.LoadConfiguration(null, Pairs(("Controller:Mqtt:Username", "controller"), ("Controller:Mqtt:Password", "s3cret-pw"))));
        Assert.Equal("s3cret-pw", settings.Controller.Mqtt.Password);
        Assert.DoesNotContain("s3cret-pw", settings.Controller.Mqtt.ToString(), StringComparison.Ordinal);
        Assert.Contains("controller", settings.Controller.Mqtt.ToString(), StringComparison.Ordinal);
    }

    private static KeyValuePair<string, string?>[] Pairs(params (string Key, string? Value)[] pairs) =>
        [.. pairs.Select(p => new KeyValuePair<string, string?>(p.Key, p.Value))];
}
