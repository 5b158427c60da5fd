namespace CloudMining.Farm.Mqtt.Client;

/// <summary>Handed to <see cref="FarmMqttClient.ApplicationMessageReceivedAsync"/> for every message the broker delivers.</summary>
public sealed class MqttApplicationMessageReceivedEventArgs(MqttApplicationMessage applicationMessage, string clientId) : EventArgs
{
    public MqttApplicationMessage ApplicationMessage { get; } = applicationMessage;

    public string ClientId { get; } = clientId;
}
