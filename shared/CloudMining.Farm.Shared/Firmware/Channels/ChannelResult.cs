namespace CloudMining.Farm.Shared.Firmware.Channels;

/// <summary>What one operation through a channel did: the outcome, how many requests went out, the miner's messages and the typed error.</summary>
public sealed record ChannelResult(MinerOperation Operation, string Channel, ActionOutcome Outcome, int RequestsSent, IReadOnlyList<string> Messages, ChannelError? Error)
{
    public bool Succeeded => Outcome == ActionOutcome.Succeeded;

    public static ChannelResult Ok(MinerOperation operation, string channel, int sent, IReadOnlyList<string> messages) =>
        new(operation, channel, ActionOutcome.Succeeded, sent, messages, null);

    public static ChannelResult NotSupported(MinerOperation operation, string channel, ChannelTarget target, string why, string fix) =>
        new(operation, channel, ActionOutcome.NotSupported, 0, [], new ChannelError(ChannelErrorKind.NotSupported, target.MinerId, channel, why, fix));

    public static ChannelResult Failed(MinerOperation operation, string channel, int sent, IReadOnlyList<string> messages, ChannelError error) =>
        new(operation, channel, ActionOutcome.Failed, sent, messages, error);
}
