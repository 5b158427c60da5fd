using CloudMining.Farm.Mqtt.Client;
using CloudMining.Farm.Mqtt.Messages;
using CloudMining.Farm.Shared.Wire;

namespace CloudMining.Farm.Controller.Enforcement;

/// <summary>Publishes the engine's messages with its own <see cref="FarmMqttClient"/> (QoS 1; the client queues while the broker is away).</summary>
public sealed class MqttFarmPublisher(FarmMqttClient client, PublisherSequence sequence, string publisherId, string? instance = null) : IFarmPublisher
{
    public string PublisherId { get; } = publisherId;

    public string? Instance { get; } = instance;

    /// <summary>The client it publishes with (the engine service also subscribes to reported state on it).</summary>
    public FarmMqttClient Client { get; } = client;

    public long NextSeq() => sequence.Next();

    public Task PublishAsync(string topic, ReadOnlyMemory<byte> payload, bool retain, CancellationToken cancellationToken) =>
        Client.PublishAsync(new MqttApplicationMessage { Topic = topic, Payload = payload, Retain = retain, Qos = MqttQualityOfServiceLevel.AtLeastOnce }, cancellationToken);
}
