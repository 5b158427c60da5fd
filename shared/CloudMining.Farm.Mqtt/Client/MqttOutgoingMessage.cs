using Net = MQTTnet;

namespace CloudMining.Farm.Mqtt.Client;

/// <summary>A QoS 1 message between the publisher's call and the broker's PUBACK; kept across reconnects and re-sent in order.</summary>
internal sealed class MqttOutgoingMessage(MqttApplicationMessage message, Net.MqttApplicationMessage wire, long order)
{
    public MqttApplicationMessage Message { get; } = message;

    /// <summary>The MQTTnet message, built once and re-used for every (re)send.</summary>
    public Net.MqttApplicationMessage Wire { get; } = wire;

    /// <summary>Call order: re-sends after a reconnect keep it.</summary>
    public long Order { get; } = order;

    /// <summary>The generation it was last handed to; null while it waits for a connection or a window slot.</summary>
    public MqttConnectionGeneration? Generation { get; set; }

    public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
