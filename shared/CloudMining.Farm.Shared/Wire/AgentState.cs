using System.Text.Json.Serialization;

namespace CloudMining.Farm.Shared.Wire;

/// <summary>Whether a rack's agent runs, in <c>farm.v1.agent-status</c> (<c>state</c>); serialised as its string.</summary>
[JsonConverter(typeof(WireEnumConverter<AgentState>))]
public enum AgentState
{
    /// <summary>A state this program does not know (a newer agent's addition); read, never sent.</summary>
    Unknown = 0,

    /// <summary>The agent runs (published retained at every connect).</summary>
    [JsonStringEnumMemberName("online")]
    Online,

    /// <summary>The agent stopped, or the broker published its last will.</summary>
    [JsonStringEnumMemberName("offline")]
    Offline,
}
