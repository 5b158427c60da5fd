using CloudMining.Farm.Controller.Api;
using CloudMining.Farm.Controller.Configuration;
using CloudMining.Farm.Controller.Engine;
using CloudMining.Farm.Controller.Fleet;
using CloudMining.Farm.Controller.History;
using CloudMining.Farm.Controller.Hosting;
using CloudMining.Farm.Controller.Platform;
using CloudMining.Farm.Controller.Store;
using CloudMining.Farm.Influx.Client;
using CloudMining.Farm.Influx.Write;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Xunit;

namespace CloudMining.Farm.Tests.Controller.Configuration;

/// <summary>
/// One options class per feature, each bound from its own keys and checked by its own validator: a broken config names
/// every bad key of every feature at once; the history interval is a TimeSpan whose older seconds key still reads; the
/// container builds the services from the options it serves.
/// </summary>
public sealed class ControllerFeatureOptionsTests
{
    [Fact]
    public void A_broken_config_names_every_bad_key_of_every_feature_in_one_error()
    {
        var e = Assert.Throws<ControllerConfigurationException>(() => Bind(
            ("Controller:Site", "s/1"),
            ("Controller:Database", " "),
            ("Controller:RackHistoryInterval", "00:00:00.500"),
            ("Controller:Api:Url", "http://10.0.0.5:8080"),
            ("Controller:Engine:TickInterval", "00:00:00.010"),
            ("Controller:Engine:Readings:MaxPowerW", "0"),
            ("Influx:Enabled", "true"),
            ("Influx:Url", "influx:8086"),
            ("Influx:Timeout", "-00:00:01"),
            ("Influx:Write:BatchSize", "0")));

        string[] keys =
        [
            "Controller:Site", "Controller:Engine:TickInterval", "Controller:Engine:Readings:MaxPowerW", "Controller:Database",
            "Controller:RackHistoryInterval", "Controller:Api:Url", "Influx:Url", "Influx:Timeout", "Influx:Database", "Influx:Write:BatchSize",
        ];
        string[] lines = e.Message.Split(Environment.NewLine).Select(l => l.Trim()).ToArray();
        foreach (string key in keys)
        {
            Assert.Single(lines, l => l.StartsWith(key + ": ", StringComparison.Ordinal));
        }

        Assert.Equal("Controller:Site", e.Setting);
        Assert.Contains($"({keys.Length} problems: fix each key named above", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_value_no_binder_can_read_is_named_beside_the_other_features_problems()
    {
        var e = Assert.Throws<ControllerConfigurationException>(() => Bind(
            ("Controller:RackHistoryInterval", "ten seconds"),
            ("Controller:Api:Enabled", "perhaps"),
            ("Controller:Database", "")));
        Assert.Contains("Controller:RackHistoryInterval: 'ten seconds' cannot be read; write a duration as \"hh:mm:ss\"", e.Message, StringComparison.Ordinal);
        Assert.Contains("Controller:Api:Enabled: 'perhaps' cannot be read; write true or false.", e.Message, StringComparison.Ordinal);
        Assert.Contains("Controller:Database: is empty", e.Message, StringComparison.Ordinal);
        Assert.Contains("(3 problems", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_rack_history_interval_is_a_timespan_and_the_older_seconds_key_still_reads_but_not_both()
    {
        ControllerSettings defaults = Bind();
        Assert.Equal(TimeSpan.FromSeconds(10), defaults.History.RackInterval());
        Assert.Equal(10, defaults.Controller.RackHistoryIntervalS);

        ControllerSettings timespan = Bind(("Controller:RackHistoryInterval", "00:00:20"));
        Assert.Equal(TimeSpan.FromSeconds(20), timespan.History.RackInterval());
        Assert.Equal(20, timespan.Controller.RackHistoryIntervalS);

        ControllerSettings seconds = Bind(("Controller:RackHistoryIntervalS", "5"));
        Assert.Equal(TimeSpan.FromSeconds(5), seconds.History.RackInterval());
        Assert.Equal(5, seconds.Controller.RackHistoryIntervalS);

        Assert.Empty(ControllerHost.UnknownKeys(Load(("Controller:RackHistoryInterval", "00:00:20"))));
        Assert.Empty(ControllerHost.UnknownKeys(Load(("Controller:RackHistoryIntervalS", "5"))));

        var both = Assert.Throws<ControllerConfigurationException>(() => Bind(("Controller:RackHistoryInterval", "00:00:20"), ("Controller:RackHistoryIntervalS", "5")));
        Assert.Equal("Controller:RackHistoryIntervalS", both.Setting);
        Assert.Contains("is set together with Controller:RackHistoryInterval; keep only RackHistoryInterval", both.Message, StringComparison.Ordinal);

        var tooShort = Assert.Throws<ControllerConfigurationException>(() => Bind(("Controller:RackHistoryIntervalS", "0.5")));
        Assert.Equal("Controller:RackHistoryIntervalS", tooShort.Setting);
        Assert.StartsWith("Controller:RackHistoryIntervalS: 0.5 is outside 1 second to 1 day", tooShort.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_platform_publishing_interval_is_its_own_options_with_both_spellings_but_not_together()
    {
        Assert.Equal(TimeSpan.FromMinutes(1), Bind().Platform.Interval());
        Assert.Equal(TimeSpan.FromSeconds(90), Bind(("Controller:Engine:PlatformPublishInterval", "00:01:30")).Platform.Interval());
        Assert.Equal(TimeSpan.FromSeconds(2), Bind(("Controller:Engine:PlatformPublishIntervalS", "2")).Platform.Interval());
        Assert.Empty(ControllerHost.UnknownKeys(Load(("Controller:Engine:PlatformPublishInterval", "00:01:30"), ("Controller:Engine:PlatformPublishIntervalS", "2"))));

        var both = Assert.Throws<ControllerConfigurationException>(() => Bind(("Controller:Engine:PlatformPublishInterval", "00:01:30"), ("Controller:Engine:PlatformPublishIntervalS", "2")));
        Assert.Equal("Controller:Engine:PlatformPublishIntervalS", both.Setting);
        Assert.Contains("keep only PlatformPublishInterval", both.Message, StringComparison.Ordinal);

        var zero = Assert.Throws<ControllerConfigurationException>(() => Bind(("Controller:Engine:PlatformPublishInterval", "00:00:00")));
        Assert.Equal("Controller:Engine:PlatformPublishInterval: '00:00:00' must be positive.", zero.Message);
    }

    [Fact]
    public void Each_feature_validator_collects_every_problem_of_its_own_keys()
    {
        var errors = new ConfigurationErrors();
        InfluxOptionsValidator.Check(new InfluxDBClientOptions { Enabled = true, Url = "", Timeout = TimeSpan.Zero, Username = "u" }, errors);
        Assert.Equal(["Influx:Url", "Influx:Timeout", "Influx:Database", "Influx:Password"], errors.All.Select(x => x.Key));

        errors = new ConfigurationErrors();
        InfluxOptionsValidator.Check(new InfluxDBClientOptions { Enabled = false, Url = "" }, errors);
        Assert.Empty(errors.All);

        errors = new ConfigurationErrors();
        InfluxWriteOptionsValidator.Check(new WriteOptions { BatchSize = 10, MaxBufferedPoints = 5, FlushInterval = TimeSpan.Zero, MaxRetries = -1 }, enabled: true, errors);
        Assert.Equal(["Influx:Write:FlushInterval", "Influx:Write:MaxRetries", "Influx:Write:MaxBufferedPoints"], errors.All.Select(x => x.Key));

        ValidateOptionsResult api = new LocalApiOptionsValidator().Validate(Options.DefaultName, new LocalApiOptions { Url = "http://0.0.0.0:8080" });
        Assert.StartsWith("Controller:Api:Url: ", Assert.Single(api.Failures!), StringComparison.Ordinal);
        Assert.True(new LocalApiOptionsValidator().Validate(Options.DefaultName, new LocalApiOptions { Enabled = false, Url = "nonsense" }).Succeeded);

        ValidateOptionsResult readings = new ReadingEnvelopeOptionsValidator().Validate(Options.DefaultName, new ReadingEnvelopeOptions { MaxPowerW = 0, PlausibleReadingsToClear = 0 });
        Assert.Equal(2, readings.Failures!.Count());

        ValidateOptionsResult store = new StoreOptionsValidator().Validate(Options.DefaultName, new StoreOptions { Database = "" });
        Assert.StartsWith("Controller:Database: is empty", Assert.Single(store.Failures!), StringComparison.Ordinal);

        ValidateOptionsResult history = new HistoryOptionsValidator().Validate(Options.DefaultName, new HistoryOptions { RackHistoryInterval = TimeSpan.FromSeconds(5), RackHistoryIntervalS = 5 });
        Assert.StartsWith("Controller:RackHistoryIntervalS: is set together with", Assert.Single(history.Failures!), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_host_built_from_unchecked_settings_names_every_bad_key_of_every_feature_when_it_starts()
    {
        string dir = Directory.CreateTempSubdirectory("ctl-features-").FullName;
        try
        {
            var settings = new ControllerSettings(new ControllerOptions { Site = "s1" }, new InfluxDBClientOptions(), new WriteOptions())
            {
                Store = new StoreOptions { Database = Path.Combine(dir, "c.db") },
                History = new HistoryOptions { RackHistoryIntervalS = 0 },
                Api = new LocalApiOptions { Url = "http://example.com:8080" },
            };
            await using SqliteControllerStore store = await SqliteControllerStore.OpenAsync(settings.Store.Database, CancellationToken.None);
            using IHost host = ControllerHost.Build(settings, store, logging => logging.ClearProviders());
            Exception e = await Assert.ThrowsAnyAsync<Exception>(() => host.StartAsync());
            IReadOnlyList<string> failures = Assert.IsAssignableFrom<IReadOnlyList<string>>(FailuresOf(e));
            Assert.Contains(failures, f => f.StartsWith("Controller:RackHistoryIntervalS: 0 is outside", StringComparison.Ordinal));
            Assert.Contains(failures, f => f.StartsWith("Controller:Api:Url: 'http://example.com:8080' names the host", StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task The_container_builds_the_history_writer_and_serves_each_feature_its_own_options()
    {
        string dir = Directory.CreateTempSubdirectory("ctl-features-").FullName;
        try
        {
            ControllerSettings settings = Bind(
                ("Controller:Database", Path.Combine(dir, "c.db")),
                ("Controller:RackHistoryInterval", "00:00:30"),
                ("Controller:Engine:TickInterval", "00:00:07"),
                ("Influx:Enabled", "true"),
                ("Influx:Url", "http://127.0.0.1:1"),
                ("Influx:Database", "farm"));
            await using SqliteControllerStore store = await SqliteControllerStore.OpenAsync(settings.Store.Database, CancellationToken.None);
            using IHost host = ControllerHost.Build(settings, store, logging => logging.ClearProviders());
            IServiceProvider services = host.Services;

            Assert.Same(settings.Store, services.GetRequiredService<IOptions<StoreOptions>>().Value);
            Assert.Same(settings.History, services.GetRequiredService<IOptions<HistoryOptions>>().Value);
            Assert.Same(settings.Api, services.GetRequiredService<IOptions<LocalApiOptions>>().Value);
            Assert.Same(settings.Engine, services.GetRequiredService<IOptions<EngineOptions>>().Value);
            Assert.Same(settings.Engine.Readings, services.GetRequiredService<IOptions<ReadingEnvelopeOptions>>().Value);
            Assert.Same(settings.Influx, services.GetRequiredService<IOptions<InfluxDBClientOptions>>().Value);
            Assert.Same(settings.InfluxWrite, services.GetRequiredService<IOptions<WriteOptions>>().Value);
            Assert.Same(settings.Platform, services.GetRequiredService<IOptions<PlatformPublishingOptions>>().Value);
            Assert.Equal(TimeSpan.FromSeconds(30), services.GetRequiredService<IOptions<HistoryOptions>>().Value.RackInterval());
            Assert.Equal(TimeSpan.FromSeconds(7), services.GetRequiredService<IOptions<EngineOptions>>().Value.Durations().TickInterval);
            Assert.Equal(Path.Combine(dir, "influx-spill"), services.GetRequiredService<IOptions<WriteOptions>>().Value.SpillDirectory);

            // Built by the container from the Influx options it serves: history is on.
            HistoryWriter history = services.GetRequiredService<HistoryWriter>();
            Assert.True(history.Enabled);
            Assert.Same(history, services.GetRequiredService<HistoryWriter>());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static IReadOnlyList<string>? FailuresOf(Exception e) => e switch
    {
        OptionsValidationException one => [.. one.Failures],
        AggregateException many => [.. many.InnerExceptions.OfType<OptionsValidationException>().SelectMany(x => x.Failures)],
        _ => null,
    };

    private static ControllerSettings Bind(params (string Key, string Value)[] pairs) => ControllerHost.Bind(Load(pairs));

    private static Microsoft.Extensions.Configuration.IConfiguration Load(params (string Key, string Value)[] pairs)
    {
        var values = new Dictionary<string, string?> { ["Controller:Site"] = "s1" };
        foreach ((string key, string value) in pairs)
        {
            values[key] = value;
        }

        return ControllerHost.LoadConfiguration(null, values);
    }
}
