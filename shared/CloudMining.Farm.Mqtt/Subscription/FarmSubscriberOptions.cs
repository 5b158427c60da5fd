namespace CloudMining.Farm.Mqtt.Subscription;

/// <summary>How a <see cref="FarmSubscriber"/> treats what it receives; the defaults are the controller's.</summary>
public sealed record FarmSubscriberOptions
{
    public static readonly FarmSubscriberOptions Default = new();

    /// <summary>Payloads larger than this are refused unread (<see cref="FarmRejection.TooLarge"/>); the client's packet limit always applies.</summary>
    public int MaxPayloadBytes { get; init; } = int.MaxValue;

    /// <summary>
    /// Drop re-deliveries by publisher seq (<see cref="FarmSubscriber.Duplicates"/>). Off for a consumer that orders
    /// by something of its own and must hear a publisher whose seq counter was reset (the agent's desired state: by generation).
    /// </summary>
    public bool DropDuplicates { get; init; } = true;

    /// <summary>
    /// Called for every message refused by <see cref="FarmMessageDecoder"/>; the consumer then reports it its own way
    /// and the subscriber writes no log line for it (it still counts it). Null: the subscriber logs, rate-limited.
    /// </summary>
    public Func<FarmRejectedMessage, CancellationToken, Task>? Rejected { get; init; }
}
