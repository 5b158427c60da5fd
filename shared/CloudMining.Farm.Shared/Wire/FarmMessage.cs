using System.Text.Json.Serialization;

namespace CloudMining.Farm.Shared.Wire;

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

    /// <summary>
    /// What breaks the contract in this payload as deserialized that the JSON parser lets through — a null where the
    /// contract has a value (<c>"pools": null</c>, <c>"pools": [null]</c>, <c>"site": null</c>); null when it is well formed.
    /// Consumers drop a malformed payload instead of letting the null reach their code.
    /// </summary>
    public virtual string? Malformation() => Publisher is null ? "\"publisher\" is null" : null;

    /// <summary>
    /// The fields holding a state this program does not know (read as <c>Unknown</c>, e.g. <c>"minerStatus[3].state"</c>):
    /// a newer publisher's additive value. The message is still used, each such state meaning "not known to be good";
    /// receivers log these (rate-limited) so an operator learns that this program is older than its peers.
    /// </summary>
    public virtual IReadOnlyList<string> UnknownStates() => [];

    /// <summary>Names the first of <paramref name="fields"/> whose value is null, for <see cref="Malformation"/>.</summary>
    protected static string? FirstNull(params ReadOnlySpan<(string Name, object? Value)> fields)
    {
        foreach ((string name, object? value) in fields)
        {
            if (value is null)
            {
                return $"\"{name}\" is null";
            }
        }

        return null;
    }

    /// <summary>Names the list when it or one of its items is null, for <see cref="Malformation"/>.</summary>
    protected static string? NullItem<T>(string name, IReadOnlyList<T>? items)
        where T : class
    {
        if (items is null)
        {
            return $"\"{name}\" is null";
        }

        for (int i = 0; i < items.Count; i++)
        {
            if (items[i] is null)
            {
                return $"\"{name}[{i}]\" is null";
            }
        }

        return null;
    }
}
