using CloudMining.Farm.Mqtt.Packets;

namespace CloudMining.Farm.Mqtt.Exceptions;

/// <summary>The broker refused CONNECT; <see cref="ReturnCode"/> says why and the message says what to do.</summary>
public sealed class MqttConnectException : Exception
{
    public MqttConnectException()
    {
    }

    public MqttConnectException(string message)
        : base(message)
    {
    }

    public MqttConnectException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public MqttConnectException(MqttConnectReturnCode returnCode, string endpoint, string? username)
        : base(Describe(returnCode, endpoint, username))
    {
        ReturnCode = returnCode;
    }

    public MqttConnectReturnCode ReturnCode { get; }

    // Names the user (not a secret) so the operator knows which credentials to check; never the password.
    private static string Describe(MqttConnectReturnCode code, string endpoint, string? username) => code switch
    {
        MqttConnectReturnCode.BadUserNameOrPassword =>
            $"MQTT broker {endpoint} rejected the user name or password for user '{username ?? "(none)"}' (CONNACK 4). Check the credentials in the configuration and the broker's password file.",
        MqttConnectReturnCode.NotAuthorized =>
            $"MQTT broker {endpoint} says user '{username ?? "(anonymous)"}' is not authorized to connect (CONNACK 5). Give credentials or allow the user on the broker.",
        MqttConnectReturnCode.IdentifierRejected =>
            $"MQTT broker {endpoint} rejected the client identifier (CONNACK 2). Use a 1-23 character [0-9a-zA-Z] id or one the broker accepts.",
        MqttConnectReturnCode.UnacceptableProtocolVersion =>
            $"MQTT broker {endpoint} does not speak MQTT 3.1.1 (CONNACK 1). Upgrade the broker.",
        MqttConnectReturnCode.ServerUnavailable =>
            $"MQTT broker {endpoint} is unavailable (CONNACK 3). The client retries; check the broker's log.",
        _ => $"MQTT broker {endpoint} refused the connection with CONNACK code {(int)code}.",
    };
}
