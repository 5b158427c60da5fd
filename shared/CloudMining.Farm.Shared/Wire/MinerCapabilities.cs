using System.Text.Json.Serialization;
using CloudMining.Farm.Shared.Firmware.Channels;

namespace CloudMining.Farm.Shared.Wire;

/// <summary>
/// What the agent can do to one miner with the configured logins, found by read-only probes of the write channels its
/// firmware profile routes to; reported in <c>farm.v1.agent-status</c> (<c>capabilities[]</c>) and read by the
/// controller to decide what it may sell, and by <c>farm-agent check</c>. Never holds a password or a token.
/// </summary>
public sealed record MinerCapabilities
{
    /// <summary>The bound on each why/fix text (the whole status payload has its own budget, see <c>CapabilityBudget</c>).</summary>
    public const int MaxTextChars = 300;

    public required string MinerId { get; init; }

    /// <summary>The firmware profile the capabilities were worked out for.</summary>
    public string? Profile { get; init; }

    /// <summary>When the probes behind this ran.</summary>
    public DateTimeOffset? ProbedAt { get; init; }

    /// <summary>Every operation the agent knows, available or not.</summary>
    public required IReadOnlyList<OperationCapability> Operations { get; init; }

    /// <summary>How pools can share the miner: one of <see cref="PoolQuotaStyles"/>; "none" when pools cannot be set at all.</summary>
    public string PoolQuota { get; init; } = PoolQuotaStyles.None;

    /// <summary>The smallest quota step the firmware takes (1 for cgminer's integer quotas); absent when there is no quota.</summary>
    public double? QuotaStep { get; init; }

    /// <summary>Lowest and highest power target in watts, where the firmware reports them.</summary>
    public double? PowerTargetMinW { get; init; }

    public double? PowerTargetMaxW { get; init; }

    /// <summary>True when the configured login is still the vendor's factory password (works, but anyone on the network can use it).</summary>
    public bool? VendorDefaultLogin { get; init; }

    /// <summary>The entry for <paramref name="operation"/>, or null when the agent did not report it.</summary>
    public OperationCapability? For(MinerOperation operation) => For(WriteChannelNames.Of(operation));

    public OperationCapability? For(string operation) =>
        Operations?.FirstOrDefault(o => o is not null && string.Equals(o.Operation, operation, StringComparison.Ordinal));

    /// <summary>Whether the agent reports <paramref name="operation"/> as available.</summary>
    public bool Can(MinerOperation operation) => For(operation)?.Available == true;

    /// <summary>Whether pools can be set with a quota or share split.</summary>
    [JsonIgnore]
    public bool SupportsPoolQuota => Can(MinerOperation.SetPools) && PoolQuota is PoolQuotaStyles.CgminerQuota or PoolQuotaStyles.GroupRatio;
}
