using Serilog.Events;

namespace CloudMining.Farm.Shared.Logging;

/// <summary>
/// What a program logs when its configuration has no <c>Serilog</c> section: the level, the console (plain or
/// journald-style) and an optional daily rolling file. The <c>Serilog</c> section is applied on top of these.
/// </summary>
/// <param name="Level">Minimum level (the agent's Agent:Log:Level; Information for the controller).</param>
/// <param name="Console">False keeps log lines off stdout (tests, benchmarks).</param>
/// <param name="Journal">True under systemd (JOURNAL_STREAM set): no colours, no timestamps, syslog priority prefixes.</param>
/// <param name="FileDirectory">Folder for the rolling files; null or empty for none.</param>
/// <param name="FilePrefix">File name before the date, e.g. <c>farm-agent-</c>.</param>
/// <param name="RetainedFiles">Daily files kept before the oldest is deleted.</param>
public sealed record FarmLogDefaults(
    LogEventLevel Level = LogEventLevel.Information,
    bool Console = true,
    bool Journal = false,
    string? FileDirectory = null,
    string FilePrefix = "farm-",
    int RetainedFiles = 14);
