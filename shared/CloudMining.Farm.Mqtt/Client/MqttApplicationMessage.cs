using CloudMining.Farm.Mqtt.Messages;

namespace CloudMining.Farm.Mqtt.Client;

/// <summary>One application message as publishers send it and subscribers receive it.</summary>
public sealed record MqttApplicationMessage
{
    public required string Topic { get; init; }

    public ReadOnlyMemory<byte> Payload { get; init; }

    public MqttQualityOfServiceLevel Qos { get; init; } = MqttQualityOfServiceLevel.AtLeastOnce;

    public bool Retain { get; init; }

    /// <summary>Set on received messages the broker re-sent (DUP flag); publishers leave it false.</summary>
    public bool Dup { get; init; }
}
