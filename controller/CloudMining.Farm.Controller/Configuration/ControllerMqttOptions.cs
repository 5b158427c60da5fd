using CloudMining.Farm.Mqtt.Client.Options;

namespace CloudMining.Farm.Controller.Configuration;

/// <summary>The "Controller:Mqtt" section: where the broker is and who the controller is on it.</summary>
public sealed class ControllerMqttOptions
{
    public string? Host { get; set; } = "127.0.0.1";

    public int Port { get; set; } = 1883;

    public string? Username { get; set; }

    /// <summary>Never logged; <see cref="ToString"/> leaves it out.</summary>
    public string? Password { get; set; }

    public string? ClientId { get; set; } = "controller";

    /// <summary>
    /// Client options for one of the controller's connections: client id "{ClientId}{suffix}", persistent session,
    /// credentials when a user is set, and auto-reconnect — a broker that is down at start or restarts later is waited
    /// for, not fatal; the client re-subscribes itself.
    /// </summary>
    public MqttClientOptions ToClientOptions(string clientIdSuffix = "")
    {
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(Host!.Trim(), Port)
            .WithClientId(ClientId!.Trim() + clientIdSuffix)
            .WithCleanSession(false)
            .WithAutoReconnect(TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(30));
        if (!string.IsNullOrEmpty(Username))
        {
            builder.WithCredentials(Username, Password);
        }

        return builder.Build();
    }

    public override string ToString() => $"{Host}:{Port} as {ClientId}" + (Username is null ? "" : $" (user {Username})");
}
