namespace CloudMining.Farm.Shared.Firmware.Channels;

/// <summary>Why a write through a channel failed.</summary>
public enum ChannelErrorKind
{
    /// <summary>Nothing accepted the connection.</summary>
    Unreachable,

    /// <summary>No complete answer in the time allowed.</summary>
    Timeout,

    /// <summary>The miner refuses this client the command (cgminer Code 45, HTTP 403).</summary>
    AccessDenied,

    /// <summary>The login was refused (HTTP 401 after the Digest answer): wrong user or password.</summary>
    AuthenticationFailed,

    /// <summary>No login is configured for a channel that needs one; nothing was sent.</summary>
    MissingCredentials,

    /// <summary>The miner answered with an error for the command.</summary>
    CommandError,

    /// <summary>The answer could not be read.</summary>
    MalformedReply,

    /// <summary>The channel or the firmware cannot do what was asked (a quota on stock Antminer, a fourth pool…); nothing was sent.</summary>
    NotSupported,
}
