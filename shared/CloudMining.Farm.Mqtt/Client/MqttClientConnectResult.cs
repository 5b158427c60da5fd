namespace CloudMining.Farm.Mqtt.Client;

/// <summary>Outcome of a successful CONNECT.</summary>
public sealed record MqttClientConnectResult(bool SessionPresent);
