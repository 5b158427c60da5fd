namespace CloudMining.Farm.Shared.MinerApi;

/// <summary>Why a conversation with a miner's API failed.</summary>
public enum MinerApiErrorKind
{
    /// <summary>Nothing accepted the TCP connection (refused, no route, host down).</summary>
    Unreachable,

    /// <summary>Connected, or tried to, but no complete reply came within the time allowed.</summary>
    Timeout,

    /// <summary>The API answered that this client may not run the command (no write privilege).</summary>
    AccessDenied,

    /// <summary>The bytes that came back are not a reply the decoder can read.</summary>
    MalformedReply,

    /// <summary>The miner answered with STATUS E or F for the command.</summary>
    CommandError,

    /// <summary>The reply was read but carries none of what the firmware profile needs.</summary>
    UnsupportedReply,

    /// <summary>The reply is larger than the configured cap.</summary>
    ReplyTooLarge,
}
