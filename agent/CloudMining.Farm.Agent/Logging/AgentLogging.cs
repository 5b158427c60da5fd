using CloudMining.Farm.Agent.Configuration;
using Serilog;
using Serilog.Core;

namespace CloudMining.Farm.Agent.Logging;

/// <summary>Builds the agent's Serilog logger: console for journald, plus a daily rolling file when a log folder is set.</summary>
public static class AgentLogging
{
    private const string ConsoleTemplate = "[{Timestamp:HH:mm:ss} {Level:u3}] {Message:lj}{NewLine}{Exception}";

    // journald stamps every line itself; a second timestamp only makes `journalctl -u farm-agent` harder to read.
    // The "<N>" prefix is sd-daemon(3)'s priority: journald strips it and files the line at that level, so
    // `journalctl -p warning -u farm-agent` shows only the problems. The level name stays readable in plain output.
    private const string JournalTemplate = "{SyslogPriority:l}[{Level:u3}] {Message:lj}{NewLine}{Exception}";
    private const string FileTemplate = "{Timestamp:yyyy-MM-dd HH:mm:ss.fff zzz} [{Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}";

    /// <param name="options">Level, log folder and retention.</param>
    /// <param name="console">False keeps log lines off stdout (tests, benchmarks).</param>
    /// <param name="journal">True under systemd (JOURNAL_STREAM set): no colours, no timestamps, syslog priority prefixes.</param>
    public static Logger CreateLogger(LogOptions options, bool console = true, bool? journal = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        LoggerConfiguration config = new LoggerConfiguration()
            .MinimumLevel.Is(options.Level)
            // The host's own chatter ("Application started") is noise at a rack; keep warnings.
            .MinimumLevel.Override("Microsoft", Serilog.Events.LogEventLevel.Warning)
            .Enrich.FromLogContext();

        if (console)
        {
            bool toJournal = journal ?? !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("JOURNAL_STREAM"));
            config = toJournal
                ? config.Enrich.With<SyslogPriorityEnricher>().WriteTo.Console(
                    outputTemplate: JournalTemplate,
                    formatProvider: System.Globalization.CultureInfo.InvariantCulture,
                    theme: Serilog.Sinks.SystemConsole.Themes.ConsoleTheme.None)
                : config.WriteTo.Console(outputTemplate: ConsoleTemplate, formatProvider: System.Globalization.CultureInfo.InvariantCulture);
        }

        if (!string.IsNullOrWhiteSpace(options.Directory))
        {
            try
            {
                Directory.CreateDirectory(options.Directory);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new AgentConfigurationException(
                    $"{AgentOptions.SectionName}:Log:Directory: cannot create '{options.Directory}' ({e.Message}); create it for the agent's user, " +
                    "point the key at a folder the agent may write, or set it to \"\" to log to the console (journald) only.", e);
            }
            config = config.WriteTo.File(
                Path.Combine(options.Directory, "farm-agent-.log"),
                outputTemplate: FileTemplate,
                rollingInterval: RollingInterval.Day,
                retainedFileCountLimit: options.RetainedFiles,
                fileSizeLimitBytes: 64L * 1024 * 1024,
                rollOnFileSizeLimit: true,
                shared: false,
                formatProvider: System.Globalization.CultureInfo.InvariantCulture);
        }

        return config.CreateLogger();
    }
}
