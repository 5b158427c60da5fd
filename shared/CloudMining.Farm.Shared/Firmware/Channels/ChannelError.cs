namespace CloudMining.Farm.Shared.Firmware.Channels;

/// <summary>
/// A failed write as a value: which miner, through which channel, what went wrong and what to do about it. Messages
/// never hold a password: channels build them from names, codes and masked replies only.
/// </summary>
public sealed record ChannelError(ChannelErrorKind Kind, string MinerId, string Channel, string Message, string Fix)
{
    /// <summary>The whole sentence for logs, events and reports.</summary>
    public override string ToString() => $"miner {MinerId}, channel {Channel}: {Message}; {Fix}";
}
