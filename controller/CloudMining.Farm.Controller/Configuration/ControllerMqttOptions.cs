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

    public override string ToString() => $"{Host}:{Port} as {ClientId}" + (Username is null ? "" : $" (user {Username})");
}
