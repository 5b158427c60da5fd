using MQTTnet.Formatter;

namespace CloudMining.Farm.Mqtt.Client.Options;

/// <summary>The protocol versions the farm speaks, as written in configuration: "5" (default) and "3.1.1".</summary>
public static class MqttProtocolVersions
{
    public const string Accepted = "\"5\" or \"3.1.1\"";

    /// <summary>Parses "5"/"5.0" or "3.1.1"; null or empty means the default, MQTT 5.</summary>
    public static bool TryParse(string? text, out MqttProtocolVersion version)
    {
        switch (text?.Trim())
        {
            case null or "" or "5" or "5.0" or "v5":
                version = MqttProtocolVersion.V500;
                return true;
            case "3.1.1" or "311" or "v3.1.1":
                version = MqttProtocolVersion.V311;
                return true;
            default:
                version = MqttProtocolVersion.Unknown;
                return false;
        }
    }

    public static string Name(MqttProtocolVersion version) => version switch
    {
        MqttProtocolVersion.V500 => "5",
        MqttProtocolVersion.V311 => "3.1.1",
        MqttProtocolVersion.V310 => "3.1",
        _ => version.ToString(),
    };
}
