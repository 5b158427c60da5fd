using CloudMining.Farm.Controller.Configuration;
using CloudMining.Farm.Controller.Engine;
using CloudMining.Farm.Controller.Hosting;
using CloudMining.Farm.Controller.Store;
using CloudMining.Farm.Influx.Client;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Xunit;

namespace CloudMining.Farm.Tests.Controller.Configuration;

/// <summary>Every configuration problem is reported at once, each named by its key; a host built from unchecked settings does not start.</summary>
public sealed class ControllerOptionsValidationTests
{
    [Fact]
    public void Every_bad_key_is_named_in_one_error_the_first_as_its_setting()
    {
        var e = Assert.Throws<ControllerConfigurationException>(() => ControllerHost.Bind(ControllerHost.LoadConfiguration(null, new Dictionary<string, string?>
        {
            ["Controller:Site"] = "s1",
            ["Controller:Mqtt:Port"] = "70000",
            ["Controller:RackHistoryIntervalS"] = "0",
            ["Controller:Engine:UnitSizeTh"] = "-1",
            ["Controller:Engine:ProofTolerancePercent"] = "0",
            ["Controller:Engine:Readings:MaxPowerW"] = "0",
        })));

        Assert.Equal("Controller:Mqtt:Port", e.Setting);
        foreach (string key in new[] { "Controller:Mqtt:Port: ", "Controller:RackHistoryIntervalS: ", "Controller:Engine:UnitSizeTh: ", "Controller:Engine:ProofTolerancePercent: ", "Controller:Engine:Readings:MaxPowerW: " })
        {
            Assert.Contains(key, e.Message, StringComparison.Ordinal);
        }

        Assert.Contains("5 problems", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("4")]
    [InlineData("3.1")]
    [InlineData("mqtt5")]
    public void A_protocol_version_the_controller_does_not_speak_is_named_by_its_key(string version)
    {
        var e = Assert.Throws<ControllerConfigurationException>(() => ControllerHost.Bind(ControllerHost.LoadConfiguration(null, new Dictionary<string, string?>
        {
            ["Controller:Site"] = "s1",
            ["Controller:Mqtt:ProtocolVersion"] = version,
        })));

        Assert.Equal("Controller:Mqtt:ProtocolVersion", e.Setting);
        Assert.Contains($"Controller:Mqtt:ProtocolVersion: '{version}' is not a protocol version the controller speaks", e.Message, StringComparison.Ordinal);
        Assert.Contains("\"3.1.1\"", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("5")]
    [InlineData("3.1.1")]
    public void The_two_protocol_versions_are_accepted_by_the_controller(string version) =>
        ControllerHost.Bind(ControllerHost.LoadConfiguration(null, new Dictionary<string, string?>
        {
            ["Controller:Site"] = "s1",
            ["Controller:Mqtt:ProtocolVersion"] = version,
        }));

    [Fact]
    public void The_engine_validator_collects_every_problem()
    {
        var errors = new ConfigurationErrors();
        EngineOptionsValidator.Check(new EngineOptions { IntervalS = 0, LagAfterS = 0, HousePoolUrl = "stratum+tcp://house.example:3333" }, errors);
        Assert.Equal(
            ["Controller:Engine:IntervalS", "Controller:Engine:LagAfterS", "Controller:Engine:HouseWorker"],
            errors.All.Select(x => x.Key));

        ValidateOptionsResult result = new EngineOptionsValidator().Validate(Options.DefaultName, new EngineOptions { ProbationReadings = 0 });
        Assert.True(result.Failed);
        Assert.StartsWith("Controller:Engine:ProbationReadings: ", Assert.Single(result.Failures!), StringComparison.Ordinal);
    }

    [Fact]
    public void Durations_are_timespans_and_the_older_number_keys_still_work_but_not_both()
    {
        ControllerSettings settings = Bind(("Controller:Engine:TickInterval", "00:00:05"), ("Controller:Engine:ProofHoldMin", "3"), ("Controller:Engine:LagAfter", "00:01:30"));
        Assert.Equal(TimeSpan.FromSeconds(5), settings.Controller.Engine.Durations().TickInterval);
        Assert.Equal(TimeSpan.FromMinutes(3), settings.Controller.Engine.Durations().ProofHold);
        Assert.Equal(TimeSpan.FromSeconds(90), settings.Controller.Engine.Durations().LagAfter);
        Assert.Equal(TimeSpan.FromMinutes(15), settings.Controller.Engine.Durations().ProofWindow);
        Assert.Empty(ControllerHost.UnknownKeys(ControllerHost.LoadConfiguration(null, new Dictionary<string, string?> { ["Controller:Site"] = "s1", ["Controller:Engine:TickInterval"] = "00:00:05" })));

        var both = Assert.Throws<ControllerConfigurationException>(() => Bind(("Controller:Engine:TickInterval", "00:00:05"), ("Controller:Engine:IntervalS", "5")));
        Assert.Equal("Controller:Engine:IntervalS", both.Setting);
        Assert.Contains("keep only TickInterval", both.Message, StringComparison.Ordinal);

        var shortTick = Assert.Throws<ControllerConfigurationException>(() => Bind(("Controller:Engine:TickInterval", "00:00:00.010")));
        Assert.Equal("Controller:Engine:TickInterval", shortTick.Setting);
        var calm = Assert.Throws<ControllerConfigurationException>(() => Bind(("Controller:Engine:TelemetryStale", "00:02:00"), ("Controller:Engine:ReconnectCalm", "00:01:00")));
        Assert.Equal("Controller:Engine:ReconnectCalm", calm.Setting);
    }

    private static ControllerSettings Bind(params (string Key, string Value)[] pairs)
    {
        var values = new Dictionary<string, string?> { ["Controller:Site"] = "s1" };
        foreach ((string key, string value) in pairs)
        {
            values[key] = value;
        }

        return ControllerHost.Bind(ControllerHost.LoadConfiguration(null, values));
    }

    [Fact]
    public async Task A_host_built_from_settings_that_were_never_checked_refuses_to_start_naming_the_key()
    {
        string dir = Directory.CreateTempSubdirectory("ctl-opts-").FullName;
        try
        {
            var settings = new ControllerSettings(
                new ControllerOptions { Site = "s1", Engine = new EngineOptions { TelemetryStaleS = 60, OwnerSilentMin = 0.5 } },
                new InfluxDBClientOptions(),
                new CloudMining.Farm.Influx.Write.WriteOptions())
            {
                Store = new StoreOptions { Database = Path.Combine(dir, "c.db") },
            };
            await using SqliteControllerStore store = await SqliteControllerStore.OpenAsync(settings.Store.Database, CancellationToken.None);
            using IHost host = ControllerHost.Build(settings, store, logging => logging.ClearProviders());
            var e = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
            Assert.Contains(e.Failures, f => f.StartsWith("Controller:Engine:OwnerSilentMin: ", StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
