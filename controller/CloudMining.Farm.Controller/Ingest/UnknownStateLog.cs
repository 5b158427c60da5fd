using CloudMining.Farm.Mqtt.Logging;
using CloudMining.Farm.Shared.Wire;
using Microsoft.Extensions.Logging;

namespace CloudMining.Farm.Controller.Ingest;

/// <summary>
/// Says, rate-limited, that a message carried a state this controller does not know (a newer agent's additive value,
/// read as <c>Unknown</c>): the message is used, the state counts as "not known to be good", and the operator learns
/// that the controller is older than its agents (docs/mqtt-contract.md, "States a receiver does not know").
/// </summary>
public sealed partial class UnknownStateLog
{
    private readonly ILogger _logger;
    private readonly LogThrottle _throttle;

    public UnknownStateLog(ILogger logger, TimeProvider time)
    {
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _throttle = new LogThrottle(time ?? throw new ArgumentNullException(nameof(time)), TimeSpan.FromMinutes(1));
    }

    /// <summary>Logs the fields of <paramref name="message"/> that hold an unknown state, if any; returns how many there were.</summary>
    public int Check(string topic, FarmMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        IReadOnlyList<string> fields = message.UnknownStates();
        if (fields.Count > 0 && _throttle.TryAcquire(out long heldBack))
        {
            UnknownState(LogText(topic), message.Schema, string.Join(", ", fields), heldBack);
        }

        return fields.Count;
    }

    private static string LogText(string topic) => BoundedText.Echo(topic);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Schema} on {Topic} carries a state this controller does not know in {Fields} (a newer agent?); the message is used and that state counts as not known to be good; upgrade the controller ({HeldBack} such lines held back)")]
    private partial void UnknownState(string topic, string schema, string fields, long heldBack);
}
