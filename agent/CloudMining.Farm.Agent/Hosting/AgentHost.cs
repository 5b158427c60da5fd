using CloudMining.Farm.Agent.Capabilities;
using CloudMining.Farm.Agent.Channels;
using CloudMining.Farm.Agent.Configuration;
using CloudMining.Farm.Agent.Events;
using CloudMining.Farm.Agent.Link;
using CloudMining.Farm.Agent.Logging;
using CloudMining.Farm.Agent.Polling;
using CloudMining.Farm.Agent.Power;
using CloudMining.Farm.Agent.Serials;
using CloudMining.Farm.Agent.Watchdog;
using CloudMining.Farm.Shared.Firmware;
using CloudMining.Farm.Agent.Pools;
using CloudMining.Farm.Agent.Telemetry;
using CloudMining.Farm.Agent.Thermal;
using CloudMining.Farm.Shared.MinerApi;
using CloudMining.Farm.Systemd;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using CloudMining.Farm.Shared.Logging;

namespace CloudMining.Farm.Agent.Hosting;

/// <summary>Builds the `farm-agent run` host: configuration, validated options, Serilog, the miner reader and the polling service.</summary>
public static class AgentHost
{
    /// <summary>What a caller may replace: the reader (tests, benchmarks), the clock, and extra log sinks.</summary>
    public sealed record Overrides
    {
        public Func<IServiceProvider, IMinerReader>? Reader { get; init; }

        public TimeProvider? Time { get; init; }

        public ILoggerProvider? ExtraLogger { get; init; }

        /// <summary>The relay chips Agent:Hardware:GpioChip may name; null is farm-agent's (<see cref="RelayDriverFactory.Product"/>). `farm-sim agent` adds the simulated ones.</summary>
        public RelayDriverFactory? RelayChips { get; init; }

        /// <summary>What systemd told the process (run as a service, WATCHDOG_USEC, JOURNAL_STREAM); null reads it. NOTIFY_SOCKET is read by the package's notifier.</summary>
        public SystemdEnvironment? Systemd { get; init; }

        /// <summary>False keeps log lines off stdout (tests, benchmarks); the log file and extra logger still get them.</summary>
        public bool ConsoleLog { get; init; } = true;
    }

    public static IHost Build(string configPath, Overrides? overrides = null)
    {
        overrides ??= new Overrides();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            // No appsettings.json, no DOTNET_ variables, no default console logger: agent.json and FARM_AGENT_ only.
            DisableDefaults = true,
            ContentRootPath = Path.GetDirectoryName(Path.GetFullPath(configPath)),
            ApplicationName = "farm-agent",
        });
        AgentConfiguration.AddAgentSources(builder.Configuration, configPath);

        // The logger must exist before options are validated, so read its section on its own; a bad value there is
        // reported by the full validation at start, meanwhile log with defaults.
        LogOptions logOptions = TryBindLogOptions(builder.Configuration, configPath);
        SystemdEnvironment systemd = overrides.Systemd ?? SystemdEnvironment.FromProcess();
        builder.Logging.ClearProviders();
        // Serilog for everything (Serilog.Extensions.Hosting); the Serilog section of agent.json adjusts levels and sinks.
        builder.Services.AddFarmSerilog(AgentLogging.Defaults(logOptions, overrides.ConsoleLog, systemd.JournalStream), builder.Configuration);
        if (overrides.ExtraLogger is not null)
        {
            builder.Logging.AddProvider(overrides.ExtraLogger);
        }

        IConfiguration configuration = builder.Configuration;
        builder.Services.AddOptions<AgentOptions>()
            .Configure(o => BindInto(configuration, configPath, o))
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<AgentOptions>, AgentOptionsValidator>();
        builder.Services.AddSingleton(overrides.Time ?? TimeProvider.System);
        builder.Services.AddSingleton(overrides.RelayChips ?? RelayDriverFactory.Product);
        builder.Services.AddSingleton(sp => new MinerHealthTracker(
            sp.GetRequiredService<IOptions<AgentOptions>>().Value.Miners.ToArray(),
            sp.GetRequiredService<ILogger<MinerHealthTracker>>()));
        builder.Services.AddSingleton<IMinerReader>(overrides.Reader ?? (sp => MinerReaderFactory.Create(sp.GetRequiredService<IOptions<AgentOptions>>().Value)));
        builder.Services.AddSingleton<RackEventBus>();

        // The MQTT link first: hosted services stop in reverse order, so its users (telemetry, desired-state intake,
        // reported state) stop before it says goodbye and disconnects.
        builder.Services.AddSingleton<AgentMqttLink>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<AgentMqttLink>());
        PoolReconciliation.AddTo(builder.Services); // desired pool state, IDesiredPoolStateView, the reconciler
        builder.Services.AddSingleton(sp => new MinerSerialService(
            sp.GetRequiredService<MinerChannels>(),
            sp.GetRequiredService<FirmwareProfileCatalog>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<MinerSerialService>>()));
        builder.Services.AddHostedService(sp => sp.GetRequiredService<MinerSerialService>());
        builder.Services.AddSingleton<RackPoller>();
        builder.Services.AddSingleton<PollingService>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<PollingService>());
        builder.Services.AddSingleton<TelemetryPublisher>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<TelemetryPublisher>());
        AddPowerAndWatchdog(builder.Services);
        builder.Services.AddSingleton(sp => new MinerCapabilityService(
            sp.GetRequiredService<PollingService>(),
            sp.GetRequiredService<MinerChannels>(),
            sp.GetRequiredService<FirmwareProfileCatalog>(),
            sp.GetRequiredService<RackEventBus>(),
            sp.GetRequiredService<AgentMqttLink>(),
            sp.GetRequiredService<IOptions<AgentOptions>>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<MinerCapabilityService>>()));
        builder.Services.AddHostedService(sp => sp.GetRequiredService<MinerCapabilityService>());
        builder.Services.AddThermalControl(builder.Configuration);
        // Type=notify: the package's SystemdLifetime sends READY=1 and STOPPING=1; STATUS= and watchdog pings gated by the
        // poll loop's progress come from ProgressWatchdog (all no-ops outside systemd).
        builder.Services.AddProgressWatchdog(systemd);
        builder.Services.AddOptions<ProgressWatchdogOptions>()
            .Configure<IOptions<AgentOptions>>((s, agent) => s.StallTimeout = AgentServiceStatus.StallTimeout(agent.Value));
        builder.Services.AddHostedService<AgentServiceStatus>();
        builder.Services.Configure<HostOptions>(h => h.ShutdownTimeout = TimeSpan.FromSeconds(10));
        return builder.Build();
    }

    /// <summary>Relays (IMinerPower, staggered power-up at start) and the watchdog ladder fed by every poll cycle.</summary>
    private static void AddPowerAndWatchdog(IServiceCollection services)
    {
        services.AddSingleton(sp =>
        {
            AgentOptions o = sp.GetRequiredService<IOptions<AgentOptions>>().Value;
            var relays = new RelayController(sp.GetRequiredService<RelayDriverFactory>().Create(o), o.Hardware.Relays, o.Power, sp.GetRequiredService<RackEventBus>(),
                sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<RelayController>>(), o.StateDirectory);
            RelayStartupService.OpenLines(relays);
            return relays;
        });
        services.AddSingleton<IMinerPower>(sp => sp.GetRequiredService<IOptions<AgentOptions>>().Value.Hardware.Relays.Count > 0
            ? sp.GetRequiredService<RelayController>()
            : new NoRelayPower());
        services.AddHostedService<RelayStartupService>();
        services.TryAddSingleton(sp => FirmwareProfileCatalog.Load(FirmwareProfileLocator.Resolve(sp.GetRequiredService<IOptions<AgentOptions>>().Value.ProfilesDirectory)));
        services.TryAddSingleton(sp =>
        {
            AgentOptions o = sp.GetRequiredService<IOptions<AgentOptions>>().Value;
            return new ActionRunner(new MinerApiClient(new MinerApiClientOptions { ConnectTimeout = o.MinerTimeout, ReadTimeout = o.MinerTimeout }));
        });
        services.TryAddSingleton(sp => MinerChannels.Create(sp.GetRequiredService<IOptions<AgentOptions>>().Value));
        services.AddSingleton<MinerRestarter>();
        services.AddSingleton(sp => new MinerWatchdog(sp.GetRequiredService<IOptions<AgentOptions>>().Value, sp.GetRequiredService<IMinerPower>(),
            sp.GetRequiredService<MinerRestarter>(), sp.GetRequiredService<RackEventBus>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<MinerWatchdog>>()));
        services.AddHostedService<WatchdogService>();
    }

    private static void BindInto(IConfiguration configuration, string configPath, AgentOptions options)
    {
        try
        {
            configuration.GetSection(AgentOptions.SectionName).Bind(options);
        }
        catch (InvalidOperationException e)
        {
            throw new AgentConfigurationException(AgentConfiguration.Explain(e), e);
        }

        AgentConfiguration.ResolvePaths(options, configPath);
    }

    private static LogOptions TryBindLogOptions(ConfigurationManager configuration, string configPath)
    {
        var options = new AgentOptions();
        try
        {
            configuration.GetSection(AgentOptions.SectionName).GetSection(nameof(AgentOptions.Log)).Bind(options.Log);
            AgentConfiguration.ResolvePaths(options, configPath);
        }
        catch (InvalidOperationException)
        {
            options.Log = new LogOptions { Directory = null };
        }

        return options.Log;
    }
}
