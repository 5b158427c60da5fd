namespace CloudMining.Farm.Shared.Firmware.Channels;

/// <summary>What a read-only probe of a miner's write channel found.</summary>
public enum ChannelProbeStatus
{
    /// <summary>The channel answered and accepts the configured login (a token was issued, a Digest login was accepted, the gRPC service answered).</summary>
    Ready,

    /// <summary>The channel needs no login and was not probed; its operations are assumed available until a write says otherwise.</summary>
    NotProbed,

    /// <summary>No login is configured for a channel that needs one.</summary>
    MissingCredentials,

    /// <summary>The miner refused the configured login.</summary>
    AuthenticationFailed,

    /// <summary>The firmware has the channel switched off or refuses this client writes (cgminer Code 45, Whatsminer API writes not enabled).</summary>
    Disabled,

    /// <summary>The channel did not answer (port closed, timeout).</summary>
    Unreachable,

    /// <summary>The channel answered something the probe could not read.</summary>
    Malformed,
}
