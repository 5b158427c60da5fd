using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Serilog;
using Serilog.Events;
using Serilog.Settings.Configuration;
using Serilog.Sinks.SystemConsole.Themes;

namespace CloudMining.Farm.Shared.Logging;

/// <summary>
/// The one logging setup of the agent and the controller: Serilog through Serilog.Extensions.Hosting, program defaults
/// (<see cref="FarmLogDefaults"/>) and then the configuration's <c>Serilog</c> section (levels, overrides, extra
/// sinks; docs/logging.md). The section is checked before use so a typo fails at start naming its key.
/// </summary>
public static class FarmLogging
{
    /// <summary>The configuration section read by Serilog.Settings.Configuration.</summary>
    public const string SectionName = "Serilog";

    private const string ConsoleTemplate = "[{Timestamp:HH:mm:ss} {Level:u3}] {Message:lj}{NewLine}{Exception}";

    // journald stamps every line itself; a second timestamp only makes `journalctl -u farm-agent` harder to read.
    // The "<N>" prefix is sd-daemon(3)'s priority: journald strips it and files the line at that level, so
    // `journalctl -p warning -u farm-agent` shows only the problems. The level name stays readable in plain output.
    private const string JournalTemplate = "{SyslogPriority:l}[{Level:u3}] {Message:lj}{NewLine}{Exception}";
    private const string FileTemplate = "{Timestamp:yyyy-MM-dd HH:mm:ss.fff zzz} [{Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}";

    // The sinks the programs ship; another needs its assembly under Serilog:Using.
    private static readonly string[] ShippedSinks = ["Console", "File"];

    /// <summary>
    /// Makes Serilog the host's logger (Serilog.Extensions.Hosting <c>AddSerilog</c>). Providers added through
    /// <c>ILoggingBuilder</c> (tests' in-memory loggers) still receive every event that passes Serilog's levels.
    /// Checks the section first: throws <see cref="LoggingConfigurationException"/> naming the key.
    /// </summary>
    public static IServiceCollection AddFarmSerilog(this IServiceCollection services, FarmLogDefaults defaults, IConfiguration? configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        Validate(configuration);
        return services.AddSerilog((_, logger) => Configure(logger, defaults, configuration), preserveStaticLogger: true, writeToProviders: true);
    }

    /// <summary>A standalone logger with the same setup, for code that logs before or without a host.</summary>
    public static Serilog.Core.Logger CreateLogger(FarmLogDefaults defaults, IConfiguration? configuration = null)
    {
        Validate(configuration);
        return Configure(new LoggerConfiguration(), defaults, configuration).CreateLogger();
    }

    /// <summary>True for keys of the <c>Serilog</c> section, which no options class binds (for unknown-key audits).</summary>
    public static bool IsLoggingKey(string key) =>
        key.Equals(SectionName, StringComparison.OrdinalIgnoreCase) || key.StartsWith(SectionName + ":", StringComparison.OrdinalIgnoreCase);

    /// <summary>Applies <paramref name="defaults"/>, then the <c>Serilog</c> section of <paramref name="configuration"/> (whose levels win).</summary>
    public static LoggerConfiguration Configure(LoggerConfiguration logger, FarmLogDefaults defaults, IConfiguration? configuration)
    {
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentNullException.ThrowIfNull(defaults);
        logger = logger
            .MinimumLevel.Is(defaults.Level)
            // The host's own chatter ("Application started") is noise at a rack; keep warnings.
            .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)
            .Enrich.FromLogContext();

        if (defaults.Console)
        {
            logger = defaults.Journal
                ? logger.Enrich.With<SyslogPriorityEnricher>().WriteTo.Console(outputTemplate: JournalTemplate, formatProvider: CultureInfo.InvariantCulture, theme: ConsoleTheme.None)
                : logger.WriteTo.Console(outputTemplate: ConsoleTemplate, formatProvider: CultureInfo.InvariantCulture);
        }

        if (!string.IsNullOrWhiteSpace(defaults.FileDirectory))
        {
            logger = logger.WriteTo.File(
                Path.Combine(defaults.FileDirectory, defaults.FilePrefix + ".log"),
                outputTemplate: FileTemplate,
                rollingInterval: RollingInterval.Day,
                retainedFileCountLimit: defaults.RetainedFiles,
                fileSizeLimitBytes: 64L * 1024 * 1024,
                rollOnFileSizeLimit: true,
                shared: false,
                formatProvider: CultureInfo.InvariantCulture);
        }

        if (configuration is null || !configuration.GetSection(SectionName).Exists())
        {
            return logger;
        }

        try
        {
            // Only our own assemblies' sinks unless Serilog:Using names more: no scanning of every loaded assembly.
            var options = new ConfigurationReaderOptions(typeof(ConsoleLoggerConfigurationExtensions).Assembly, typeof(FileLoggerConfigurationExtensions).Assembly)
            {
                SectionName = SectionName,
                FormatProvider = CultureInfo.InvariantCulture,
            };
            return logger.ReadFrom.Configuration(configuration, options);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or FormatException or InvalidCastException or System.Reflection.TargetInvocationException)
        {
            throw new LoggingConfigurationException(SectionName, $"The {SectionName} section cannot be applied: {(e.InnerException ?? e).Message} Fix the section (docs/logging.md) or remove it to log with the defaults.", e);
        }
    }

    /// <summary>Checks levels and sink names of the <c>Serilog</c> section; throws <see cref="LoggingConfigurationException"/> naming the key.</summary>
    public static void Validate(IConfiguration? configuration)
    {
        IConfigurationSection section = configuration?.GetSection(SectionName)!;
        if (configuration is null || !section.Exists())
        {
            return;
        }

        IConfigurationSection minimum = section.GetSection("MinimumLevel");
        if (minimum.Value is not null)
        {
            CheckLevel(minimum);
        }

        CheckLevel(minimum.GetSection("Default"));
        foreach (IConfigurationSection over in minimum.GetSection("Override").GetChildren())
        {
            CheckLevel(over);
        }

        bool extraAssemblies = section.GetSection("Using").GetChildren().Any();
        foreach (IConfigurationSection sink in section.GetSection("WriteTo").GetChildren())
        {
            IConfigurationSection nameKey = sink.Value is not null ? sink : sink.GetSection("Name");
            string? name = nameKey.Value;
            if (string.IsNullOrWhiteSpace(name))
            {
                throw new LoggingConfigurationException(nameKey.Path, $"{nameKey.Path} is missing; name the sink, e.g. \"Name\": \"File\" with \"Args\": {{ \"path\": \"/var/log/farm/app-.log\" }}.");
            }

            if (!extraAssemblies && !ShippedSinks.Contains(name, StringComparer.OrdinalIgnoreCase))
            {
                throw new LoggingConfigurationException(nameKey.Path, $"{nameKey.Path} is \"{name}\", not a sink this program ships ({string.Join(", ", ShippedSinks)}); fix the name, or install the sink's package and list its assembly under {SectionName}:Using.");
            }

            CheckLevel(sink.GetSection("Args:restrictedToMinimumLevel"));
        }
    }

    private static void CheckLevel(IConfigurationSection key)
    {
        if (key.Value is null)
        {
            return;
        }

        if (string.IsNullOrWhiteSpace(key.Value) || int.TryParse(key.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out _) || !Enum.TryParse(key.Value, ignoreCase: true, out LogEventLevel _))
        {
            throw new LoggingConfigurationException(key.Path, $"{key.Path} is \"{key.Value}\", not a log level; use one of {string.Join(", ", Enum.GetNames<LogEventLevel>())}.");
        }
    }
}
