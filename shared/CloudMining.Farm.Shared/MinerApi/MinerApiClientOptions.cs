namespace CloudMining.Farm.Shared.MinerApi;

/// <summary>Limits for one API conversation with a miner.</summary>
public sealed record MinerApiClientOptions
{
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Time allowed from sending the command to the end of the reply.</summary>
    public TimeSpan ReadTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Replies larger than this are refused as <see cref="MinerApiErrorKind.ReplyTooLarge"/>.</summary>
    public int MaxReplyBytes { get; init; } = 1 << 20;
}
