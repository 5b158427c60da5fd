using System.Text.Json.Serialization;

namespace CloudMining.Farm.Shared.Wire;

/// <summary>A customer contract's status, in <c>farm.v1.allocation</c> (<c>status</c>) and the local API's contract view; serialised as its string.</summary>
[JsonConverter(typeof(WireEnumConverter<ContractStatus>))]
public enum ContractStatus
{
    /// <summary>A status this program does not know (a newer controller's addition); read, never sent.</summary>
    Unknown = 0,

    /// <summary>The term has not started.</summary>
    [JsonStringEnumMemberName("pending")]
    Pending,

    /// <summary>Within its term: allocated and delivered to.</summary>
    [JsonStringEnumMemberName("active")]
    Active,

    /// <summary>Final: its term is over or it was ended early; the retained allocation message stays as the last word.</summary>
    [JsonStringEnumMemberName("ended")]
    Ended,
}
