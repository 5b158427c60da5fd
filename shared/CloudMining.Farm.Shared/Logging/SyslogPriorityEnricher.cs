using Serilog.Core;
using Serilog.Events;

namespace CloudMining.Farm.Shared.Logging;

/// <summary>Adds "&lt;N&gt;", the syslog priority journald reads from the start of a stdout line (sd-daemon(3)).</summary>
public sealed class SyslogPriorityEnricher : ILogEventEnricher
{
    public const string PropertyName = "SyslogPriority";

    private static readonly LogEventProperty[] Prefixes =
    [
        new(PropertyName, new ScalarValue("<7>")), // Verbose: debug
        new(PropertyName, new ScalarValue("<7>")), // Debug: debug
        new(PropertyName, new ScalarValue("<6>")), // Information: info
        new(PropertyName, new ScalarValue("<4>")), // Warning: warning
        new(PropertyName, new ScalarValue("<3>")), // Error: err
        new(PropertyName, new ScalarValue("<2>")), // Fatal: crit
    ];

    /// <summary>The prefix for a level: 7 debug, 6 info, 4 warning, 3 err, 2 crit.</summary>
    public static string PrefixFor(LogEventLevel level) => (string)((ScalarValue)Prefixes[(int)level].Value).Value!;

    public void Enrich(LogEvent logEvent, ILogEventPropertyFactory propertyFactory)
    {
        ArgumentNullException.ThrowIfNull(logEvent);
        logEvent.AddOrUpdateProperty(Prefixes[(int)logEvent.Level]);
    }
}
