namespace CloudMining.Farm.Controller.Enforcement;

/// <summary>Where the engine publishes farm/v1 messages (desired state, allocation, capacity): MQTT in the service.</summary>
public interface IFarmPublisher
{
    /// <summary>The payloads' "publisher" id.</summary>
    string PublisherId { get; }

    /// <summary>The controller instance publishing (Controller:Leadership:Instance), carried in the platform payloads; null when not named.</summary>
    string? Instance => null;

    /// <summary>The next envelope seq, strictly increasing across restarts.</summary>
    long NextSeq();

    /// <summary>Publishes with QoS 1; <paramref name="retain"/> keeps it as the topic's current truth.</summary>
    Task PublishAsync(string topic, ReadOnlyMemory<byte> payload, bool retain, CancellationToken cancellationToken);
}
