using System.Text.Json.Serialization;

namespace CloudMining.Farm.ControlApi;

/// <summary>
/// An RFC 7807 problem+json body: what went wrong and what to do, plus the field at fault (validation) or the free
/// capacity (an oversell refused), so farmctl and scripts can act on it without parsing the message.
/// </summary>
public sealed record ProblemDocument(
    string Type,
    string Title,
    int Status,
    string Detail,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Instance = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Field = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? UnitsRequested = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? UnitsFree = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? FreeHs = null)
{
    /// <summary>The media type of a problem body (RFC 7807).</summary>
    public const string MediaType = "application/problem+json";
}
