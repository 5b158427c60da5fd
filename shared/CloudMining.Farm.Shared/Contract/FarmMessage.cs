using System.Text.Json.Serialization;

namespace CloudMining.Farm.Shared.Contract;

/// <summary>
/// Envelope every farm/v1 payload carries: which schema it follows, who published it, and the publisher's
/// monotonic sequence number, so consumers can drop the duplicates at-least-once delivery produces.
/// </summary>
public abstract record FarmMessage
{
    /// <summary>Schema id with its version, e.g. "farm.v1.telemetry"; documented in docs/mqtt-contract.md.</summary>
    [JsonPropertyOrder(-4)]
    public abstract string Schema { get; }

    /// <summary>Stable id of the publishing program instance, e.g. "agent-s1-r07" or "controller".</summary>
    [JsonPropertyOrder(-3)]
    public required string Publisher { get; init; }

    /// <summary>Strictly increasing per publisher, also across restarts (see <see cref="PublisherSequence"/>).</summary>
    [JsonPropertyOrder(-2)]
    public required long Seq { get; init; }

    [JsonPropertyOrder(-1)]
    [JsonPropertyName("ts")]
    public required DateTimeOffset Timestamp { get; init; }
}
