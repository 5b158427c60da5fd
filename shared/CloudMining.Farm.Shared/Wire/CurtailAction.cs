using System.Text.Json.Serialization;

namespace CloudMining.Farm.Shared.Wire;

/// <summary>What the controller wants a miner to do against curtailment, in <c>farm.v1.desired</c> (<c>curtailment[].action</c>); serialised as its string.</summary>
[JsonConverter(typeof(WireEnumConverter<CurtailAction>))]
public enum CurtailAction
{
    /// <summary>An action this program does not know (a newer controller's addition); read, never sent. The agent leaves the miner as it is.</summary>
    Unknown = 0,

    /// <summary>Stop hashing and stay reachable (the profile's <c>pause</c>).</summary>
    [JsonStringEnumMemberName("sleep")]
    Sleep,

    /// <summary>Run at <c>powerTargetW</c> (the profile's <c>setPowerTarget</c>).</summary>
    [JsonStringEnumMemberName("powerTarget")]
    PowerTarget,

    /// <summary>Hash again: <c>resume</c> when it sleeps, and back to <c>powerTargetW</c> (its power before curtailment) when given.</summary>
    [JsonStringEnumMemberName("resume")]
    Resume,
}
