using Serilog.Events;

namespace CloudMining.Farm.Agent.Configuration;

/// <summary>Where the agent writes its log files and how much it says.</summary>
public sealed class LogOptions
{
    /// <summary>Folder for the rolling log files; empty means console only (journald keeps those).</summary>
    public string? Directory { get; set; } = "/var/log/farm-agent";

    public LogEventLevel Level { get; set; } = LogEventLevel.Information;

    /// <summary>Daily files kept before the oldest is deleted.</summary>
    public int RetainedFiles { get; set; } = 14;
}
