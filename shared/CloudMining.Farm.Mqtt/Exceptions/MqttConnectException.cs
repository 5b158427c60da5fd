using CloudMining.Farm.Mqtt.Client.Options;
using CloudMining.Farm.Mqtt.Messages;
using MQTTnet;
using MQTTnet.Formatter;

namespace CloudMining.Farm.Mqtt.Exceptions;

/// <summary>
/// The broker refused CONNECT; <see cref="ResultCode"/> (MQTT 5 terms, as MQTTnet reports it for both versions) and
/// <see cref="ReturnCode"/> (the MQTT 3.1.1 class of it) say why, and the message says what to do.
/// </summary>
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

    public MqttConnectException(MqttClientConnectResultCode resultCode, string endpoint, string? username, MqttProtocolVersion version)
        : base(Describe(resultCode, endpoint, username, version))
    {
        ResultCode = resultCode;
        ReturnCode = Classify(resultCode);
    }

    public MqttClientConnectResultCode ResultCode { get; }

    public MqttConnectReturnCode ReturnCode { get; }

    private static MqttConnectReturnCode Classify(MqttClientConnectResultCode code) => code switch
    {
        MqttClientConnectResultCode.Success => MqttConnectReturnCode.Accepted,
        MqttClientConnectResultCode.UnsupportedProtocolVersion => MqttConnectReturnCode.UnacceptableProtocolVersion,
        MqttClientConnectResultCode.ClientIdentifierNotValid => MqttConnectReturnCode.IdentifierRejected,
        MqttClientConnectResultCode.BadUserNameOrPassword => MqttConnectReturnCode.BadUserNameOrPassword,
        MqttClientConnectResultCode.NotAuthorized or MqttClientConnectResultCode.Banned or MqttClientConnectResultCode.BadAuthenticationMethod => MqttConnectReturnCode.NotAuthorized,
        _ => MqttConnectReturnCode.ServerUnavailable,
    };

    // Names the user (not a secret) so the operator knows which credentials to check; never the password.
    private static string Describe(MqttClientConnectResultCode code, string endpoint, string? username, MqttProtocolVersion version) => Classify(code) switch
    {
        MqttConnectReturnCode.BadUserNameOrPassword =>
            $"MQTT broker {endpoint} rejected the user name or password for user '{username ?? "(none)"}' (CONNACK {code}). Check the credentials in the configuration and the broker's password file.",
        MqttConnectReturnCode.NotAuthorized =>
            $"MQTT broker {endpoint} says user '{username ?? "(anonymous)"}' is not authorized to connect (CONNACK {code}). Check the password, or give credentials or allow the user on the broker.",
        MqttConnectReturnCode.IdentifierRejected =>
            $"MQTT broker {endpoint} rejected the client identifier (CONNACK {code}). Use a 1-23 character [0-9a-zA-Z] id or one the broker accepts.",
        MqttConnectReturnCode.UnacceptableProtocolVersion =>
            $"MQTT broker {endpoint} does not speak MQTT {MqttProtocolVersions.Name(version)} (CONNACK {code}). Set the MQTT ProtocolVersion to \"3.1.1\" or upgrade the broker.",
        _ => $"MQTT broker {endpoint} refused the connection (CONNACK {code}). The client retries; check the broker's log.",
    };
}
