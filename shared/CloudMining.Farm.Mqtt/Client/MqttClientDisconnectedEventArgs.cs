namespace CloudMining.Farm.Mqtt.Client;

/// <summary>Why a connection ended; <see cref="Exception"/> is null for a disconnect the application asked for.</summary>
public sealed class MqttClientDisconnectedEventArgs(Exception? exception, bool willReconnect) : EventArgs
{
    public Exception? Exception { get; } = exception;

    public bool WillReconnect { get; } = willReconnect;
}
