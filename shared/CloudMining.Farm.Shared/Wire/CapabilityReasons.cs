namespace CloudMining.Farm.Shared.Wire;

/// <summary>Why an operation in a miner's reported capabilities is not available (the <c>reason</c> field of <see cref="OperationCapability"/>).</summary>
public static class CapabilityReasons
{
    /// <summary>The miner's firmware profile routes the operation to no channel (the firmware cannot, or nobody wrote how).</summary>
    public const string NoRoute = "no-route";

    /// <summary>The profile names a channel this agent does not have (an older agent than the profile).</summary>
    public const string ChannelMissing = "channel-missing";

    /// <summary>The channel needs a login and none is configured for the miner.</summary>
    public const string MissingCredentials = "missing-credentials";

    /// <summary>The miner refused the configured login.</summary>
    public const string AuthenticationFailed = "authentication-failed";

    /// <summary>The firmware has the channel off or refuses this client writes (cgminer Code 45).</summary>
    public const string Disabled = "disabled";

    /// <summary>The channel did not answer the probe.</summary>
    public const string Unreachable = "unreachable";

    /// <summary>The channel answered something the probe could not read.</summary>
    public const string Malformed = "malformed";

    /// <summary>Every reason, for the schema test.</summary>
    public static IReadOnlyList<string> All { get; } = [NoRoute, ChannelMissing, MissingCredentials, AuthenticationFailed, Disabled, Unreachable, Malformed];
}
