using System.Text.Json.Serialization;

namespace CloudMining.Farm.Shared.Wire;

/// <summary>A miner's state as the fleet sees it, in <c>farm.v1.miner-state</c> (<c>state</c>, <c>previousState</c>); serialised as its string.</summary>
[JsonConverter(typeof(WireEnumConverter<MinerState>))]
public enum MinerState
{
    /// <summary>A state this program does not know (a newer agent's addition); read, never sent.</summary>
    Unknown = 0,

    [JsonStringEnumMemberName("hashing")]
    Hashing,

    [JsonStringEnumMemberName("degraded")]
    Degraded,

    [JsonStringEnumMemberName("idle")]
    Idle,

    [JsonStringEnumMemberName("unreachable")]
    Unreachable,

    [JsonStringEnumMemberName("restarting")]
    Restarting,

    [JsonStringEnumMemberName("powered-off")]
    PoweredOff,
}
