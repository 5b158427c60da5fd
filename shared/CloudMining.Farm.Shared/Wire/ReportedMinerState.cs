using System.Text.Json.Serialization;

namespace CloudMining.Farm.Shared.Wire;

/// <summary>Where one miner stands against the desired pool state, in <c>farm.v1.reported</c> (<c>minerStatus[].state</c>); serialised as its string.</summary>
[JsonConverter(typeof(WireEnumConverter<ReportedMinerState>))]
public enum ReportedMinerState
{
    /// <summary>A state this program does not know (a newer agent's addition); read, never sent. Counts as not applied.</summary>
    Unknown = 0,

    /// <summary>Read back and verified at the report's generation.</summary>
    [JsonStringEnumMemberName("applied")]
    Applied,

    /// <summary>Not tried yet.</summary>
    [JsonStringEnumMemberName("pending")]
    Pending,

    /// <summary>Unreachable; tried again once it answers.</summary>
    [JsonStringEnumMemberName("waiting")]
    Waiting,

    /// <summary>Refused or not verified; the reason says why, nextRetryAt when it is tried again.</summary>
    [JsonStringEnumMemberName("failed")]
    Failed,

    /// <summary>The miner's entry failed the agent's checks (added within v1); not applied, not retried for this generation.</summary>
    [JsonStringEnumMemberName("rejected")]
    Rejected,
}
