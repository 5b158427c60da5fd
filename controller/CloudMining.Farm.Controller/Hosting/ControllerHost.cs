using CloudMining.Farm.Controller.Configuration;
using CloudMining.Farm.Controller.Curtailment;
using CloudMining.Farm.Controller.Engine;
using CloudMining.Farm.Controller.Enforcement;
using CloudMining.Farm.Controller.Operations;
using CloudMining.Farm.Controller.PoolSide;
using CloudMining.Farm.Controller.History;
using CloudMining.Farm.Controller.Ingest;
using CloudMining.Farm.Controller.Store;
using CloudMining.Farm.Controller.Platform;
using CloudMining.Farm.Controller.Api;
using CloudMining.Farm.Influx.Client;
using CloudMining.Farm.Influx.Write;
using CloudMining.Farm.Mqtt.Client;
using CloudMining.Farm.Shared.Configuration;
using CloudMining.Farm.Shared.Wire;
using CloudMining.Farm.Shared.Logging;
using System.Text.Json;
using CloudMining.Farm.Systemd;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CloudMining.Farm.Controller.Hosting;

/// <summary>Builds the controller's generic host: JSON config + FARM_CONTROLLER_ env vars, validated options, ingest and history.</summary>
public static class ControllerHost
{
    /// <summary>Environment variables with this prefix override the file, e.g. FARM_CONTROLLER_Controller__Mqtt__Password.</summary>
    public const string EnvironmentPrefix = "FARM_CONTROLLER_";

    /// <summary>
    /// Built-in defaults: a local broker, a local SQLite file, history off (so it runs without InfluxDB). No site: a
    /// controller that guessed one would sell a farm it does not see.
    /// </summary>
    public static IReadOnlyDictionary<string, string?> Defaults { get; } = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
    {
        ["Controller:Database"] = "farm-controller.db",
        ["Controller:Mqtt:Host"] = "127.0.0.1",
        ["Controller:Mqtt:Port"] = "1883",
        ["Controller:Mqtt:ClientId"] = "controller",
        ["Influx:Enabled"] = "false",
    };

    /// <summary>Reads defaults, then the JSON file (if given), then the environment.</summary>
    public static IConfiguration LoadConfiguration(string? configFile, IEnumerable<KeyValuePair<string, string?>>? overrides = null)
    {
        var builder = new ConfigurationBuilder().AddInMemoryCollection(Defaults);
        if (configFile is not null)
        {
            if (!File.Exists(configFile))
            {
                throw new ControllerConfigurationException("--config", $"the file {Path.GetFullPath(configFile)} does not exist; pass the path of the controller's JSON config.");
            }

            string full = Path.GetFullPath(configFile);
            CheckJson(full);
            builder.AddJsonFile(full, optional: false, reloadOnChange: false);
        }

        builder.AddEnvironmentVariables(EnvironmentPrefix);
        if (overrides is not null)
        {
            builder.AddInMemoryCollection(overrides);
        }

        try
        {
            return builder.Build();
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or IOException or UnauthorizedAccessException)
        {
            throw new ControllerConfigurationException("--config", $"{e.Message} Fix the file and start again.", e);
        }
    }

    /// <summary>
    /// The keys of <paramref name="configuration"/> that no options class of the controller reads — a typo such as
    /// "Controller:Mqtt:Hots" that would otherwise be ignored — each with the nearest known key.
    /// </summary>
    public static IReadOnlyList<UnknownConfigurationKey> UnknownKeys(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return new ConfigurationKeyAudit()
            .Bind(ControllerOptions.SectionName, typeof(ControllerOptions))
            .Bind(StoreOptions.SectionName, typeof(StoreOptions))
            .Bind(HistoryOptions.SectionName, typeof(HistoryOptions))
            .Bind(Api.LocalApiOptions.SectionName, typeof(Api.LocalApiOptions))
            .Bind(PlatformPublishingOptions.SectionName, typeof(PlatformPublishingOptions))
            .Bind(CurtailmentOptions.SectionName, typeof(CurtailmentOptions))
            .KnownHostKeys()
            .Bind(InfluxDBClientOptions.SectionName, typeof(InfluxDBClientOptions))
            .Bind(InfluxDBClientOptions.SectionName + ":Write", typeof(WriteOptions))
            .Check(configuration.AsEnumerable().Where(kv => kv.Value is not null && !FarmLogging.IsLoggingKey(kv.Key)).Select(kv => kv.Key));
    }

    /// <summary>Fails with the file's own line and column rather than the configuration library's stack trace.</summary>
    private static void CheckJson(string full)
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(full), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new ControllerConfigurationException("--config", $"{full} must hold one JSON object with a \"{ControllerOptions.SectionName}\" section (see deploy/controller.json.template).");
            }
        }
        catch (JsonException e)
        {
            throw new ControllerConfigurationException(
                "--config",
                $"{full} is not valid JSON at line {e.LineNumber + 1}, position {e.BytePositionInLine + 1}: {e.Message.Split(" LineNumber", 2)[0]} Fix the file and start again.",
                e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ControllerConfigurationException("--config", $"cannot read {full} ({e.Message}); the controller's user needs read access to it.", e);
        }
    }

    /// <summary>
    /// Binds each feature's options from its own keys and checks them all, collecting every problem (a value the binder
    /// cannot read, or one a validator refuses) into one <see cref="ControllerConfigurationException"/> that names each key.
    /// </summary>
    public static ControllerSettings Bind(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var errors = new ConfigurationErrors();
        var controller = new ControllerOptions();
        var store = new StoreOptions();
        var history = new HistoryOptions();
        var api = new Api.LocalApiOptions();
        var platform = new PlatformPublishingOptions();
        var curtailment = new CurtailmentOptions();
        var influx = new InfluxDBClientOptions();
        var write = new WriteOptions();

        // One feature at a time, so a value one binder cannot read does not hide the other features' problems; a
        // feature that could not be bound is not validated (its half-bound values would only add noise).
        if (BindSection(configuration, ControllerOptions.SectionName, controller, errors))
        {
            ControllerOptionsValidator.Check(controller, errors);
            if (controller.Engine is not null)
            {
                EngineOptionsValidator.Check(controller.Engine, errors);
                if (controller.Engine.Readings is not null)
                {
                    Fleet.ReadingEnvelopeOptionsValidator.Check(controller.Engine.Readings, errors);
                }
            }
        }

        if (BindSection(configuration, StoreOptions.SectionName, store, errors))
        {
            StoreOptionsValidator.Check(store, errors);
        }

        if (BindSection(configuration, HistoryOptions.SectionName, history, errors))
        {
            HistoryOptionsValidator.Check(history, errors);
        }

        if (BindSection(configuration, Api.LocalApiOptions.SectionName, api, errors))
        {
            Api.LocalApiOptionsValidator.Check(api, errors);
        }

        if (BindSection(configuration, PlatformPublishingOptions.SectionName, platform, errors))
        {
            PlatformPublishingOptionsValidator.Check(platform, errors);
        }

        if (BindSection(configuration, CurtailmentOptions.SectionName, curtailment, errors))
        {
            CurtailmentOptionsValidator.Check(curtailment, errors);
        }

        // History is off by default so the embedded config runs without InfluxDB; only then do Influx keys matter.
        bool influxBound = BindSection(configuration, InfluxDBClientOptions.SectionName, influx, errors);
        if (influxBound)
        {
            InfluxOptionsValidator.Check(influx, errors);
        }

        if (BindSection(configuration, InfluxDBClientOptions.SectionName + ":Write", write, errors) && influxBound)
        {
            InfluxWriteOptionsValidator.Check(write, influx.Enabled, errors);
        }

        try
        {
            FarmLogging.Validate(configuration);
        }
        catch (LoggingConfigurationException e)
        {
            errors.Add(e.Key, e.Message.StartsWith(e.Key, StringComparison.Ordinal) ? e.Message[e.Key.Length..].TrimStart(':', ' ') : e.Message);
        }

        errors.ThrowIfAny();
        controller.RackHistoryIntervalS = history.RackInterval().TotalSeconds;
        if (api.Enabled)
        {
            api.TokenFile = string.IsNullOrWhiteSpace(api.TokenFile)
                ? Path.Combine(store.Directory(), Api.LocalApiToken.DefaultFileName)
                : Path.GetFullPath(api.TokenFile);
        }

        if (influx.Enabled && string.IsNullOrWhiteSpace(write.SpillDirectory))
        {
            // Spill beside the database so an InfluxDB outage loses nothing by default.
            write.SpillDirectory = Path.Combine(store.Directory(), "influx-spill");
        }

        return new ControllerSettings(controller, influx, write) { Configuration = configuration, Store = store, History = history, Api = api, Platform = platform, Curtailment = curtailment };
    }

    /// <summary>Binds <paramref name="section"/> into <paramref name="options"/>; a value the binder cannot read is added to <paramref name="errors"/> by its key.</summary>
    private static bool BindSection(IConfiguration configuration, string section, object options, ConfigurationErrors errors)
    {
        try
        {
            configuration.GetSection(section).Bind(options);
            return true;
        }
        catch (InvalidOperationException e)
        {
            // The binder's message names the key and the value it could not convert.
            ControllerConfigurationException named = ControllerConfigurationException.FromBinder(e);
            errors.Add(named.Setting, named.Message.StartsWith(named.Setting + ": ", StringComparison.Ordinal) ? named.Message[(named.Setting.Length + 2)..] : named.Message);
            return false;
        }
    }

    /// <summary>
    /// Builds the host around an opened store; the caller disposes the store after the host stops. Logging is Serilog
    /// (the agent's setup: console, journald-style under systemd, the config's Serilog section on top);
    /// <paramref name="logging"/> may add providers, which receive what passes Serilog's levels.
    /// </summary>
    public static IHost Build(ControllerSettings settings, IControllerStore store, Action<ILoggingBuilder>? logging = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        HostApplicationBuilder builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        try
        {
            builder.Services.AddFarmSerilog(new FarmLogDefaults(Journal: SystemdEnvironment.FromProcess().JournalStream), settings.Configuration);
        }
        catch (LoggingConfigurationException e)
        {
            throw new ControllerConfigurationException(e.Key, e.Message, e);
        }

        logging?.Invoke(builder.Logging);
        builder.Services.AddSingleton(settings.Controller);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddControllerStore(settings.Store, store);
        builder.Services.AddSingleton<FleetState>();
        builder.Services.AddSingleton<BrokerOutageGate>();
        builder.Services.AddControllerHistory(settings);
        builder.Services.AddControllerApi(settings.Api);
        builder.Services.AddControllerPlatformPublishing(settings.Platform);
        builder.Services.AddBoundOptions<CurtailmentOptions, CurtailmentOptionsValidator>(settings.Curtailment);
        builder.Services.AddSingleton(sp => new IngestService(
            settings.Controller,
            sp.GetRequiredService<FleetState>(),
            sp.GetRequiredService<HistoryWriter>(),
            sp.GetRequiredService<IControllerStore>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILoggerFactory>(),
            sp.GetRequiredService<BrokerOutageGate>()));
        builder.Services.AddHostedService(sp => sp.GetRequiredService<IngestService>());
        AddEngine(builder.Services, settings);

        // Type=notify: the package's SystemdLifetime sends READY=1 once ingest has started and STOPPING=1 on shutdown;
        // ProgressWatchdog warns if the unit sets WatchdogSec= (the controller has no progress signal). No-ops outside systemd.
        builder.Services.AddProgressWatchdog();
        return builder.Build();
    }

    /// <summary>
    /// The engine: one <see cref="ControllerEngine"/> singleton, also registered as <see cref="IControllerOperations"/> for
    /// the local API; its publishing MQTT client and seq file (beside the database); and the control loop.
    /// </summary>
    private static void AddEngine(IServiceCollection services, ControllerSettings settings)
    {
        ControllerOptions controller = settings.Controller;
        // The engine's own client, reached through its publisher (not registered as a bare FarmMqttClient, which other
        // services may want for themselves).
        services.AddSingleton(sp => new MqttFarmPublisher(
            new FarmMqttClient(EngineService.ClientOptions(controller.Mqtt), sp.GetRequiredService<ILoggerFactory>().CreateLogger<FarmMqttClient>()),
            new PublisherSequence(Path.Combine(settings.Store.Directory(), "controller-mqtt-seq")),
            controller.Mqtt.ClientId!.Trim(),
            settings.Store.Leadership.InstanceName()));
        services.AddSingleton<IFarmPublisher>(sp => sp.GetRequiredService<MqttFarmPublisher>());
        // Options per feature through the options system, validated again when the host starts (every error named by its key).
        services.AddBoundOptions<ControllerOptions, ControllerOptionsValidator>(controller);
        services.AddControllerEngineOptions(controller);
        services.AddSingleton(controller.Settlement);
        services.AddControllerEngine();
        services.AddPoolSideVerification(controller.PoolSide);
        services.AddSingleton(sp => new EngineService(
            controller,
            sp.GetRequiredService<ControllerEngine>(),
            sp.GetRequiredService<MqttFarmPublisher>().Client,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILoggerFactory>()));
        services.AddHostedService(sp => sp.GetRequiredService<EngineService>());
    }
}
