namespace CloudMining.Farm.Mqtt.Client;

/// <summary>A QoS 1 PUBLISH waiting for its PUBACK; kept across reconnects so it can be re-sent with DUP.</summary>
internal sealed class MqttInflightMessage(MqttApplicationMessage message, long order)
{
    /// <summary>Assigned when the message gets a window slot; 0 while it waits for one.</summary>
    public ushort PacketIdentifier { get; set; }

    public MqttApplicationMessage Message { get; } = message;

    /// <summary>Send order, so retransmission after reconnect keeps the original order.</summary>
    public long Order { get; } = order;

    /// <summary>Whether it was written to a connection at least once (then a re-send carries DUP).</summary>
    public bool Sent { get; set; }

    public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
