using System.Text;
using CloudMining.Farm.Mqtt.Exceptions;
using CloudMining.Farm.Mqtt.Messages;
using MQTTnet.Formatter;

namespace CloudMining.Farm.Mqtt.Client.Options;

/// <summary>Checks options before any socket opens, and reports every problem at once.</summary>
public static class MqttClientOptionsValidator
{
    /// <summary>Smallest packet limit accepted: room for a CONNECT with long credentials and a will.</summary>
    public const int MinMaxPacketSize = 1024;

    public static IReadOnlyList<string> Problems(MqttClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Host))
        {
            problems.Add("Host is empty; set the broker host name or address.");
        }

        if (options.Port is < 1 or > 65535)
        {
            problems.Add($"Port {options.Port} is outside 1-65535.");
        }

        if (Encoding.UTF8.GetByteCount(options.ClientId) > MqttTopicValidator.MaxStringBytes)
        {
            problems.Add("ClientId is longer than 65535 bytes.");
        }

        if (options.ClientId.Length == 0 && !options.CleanSession)
        {
            problems.Add("A persistent session (CleanSession = false) needs a ClientId so the broker can find the session again.");
        }

        if (options.ProtocolVersion is not (MqttProtocolVersion.V500 or MqttProtocolVersion.V311))
        {
            problems.Add($"ProtocolVersion {options.ProtocolVersion} is not supported; use {MqttProtocolVersions.Accepted}.");
        }

        if (options.Password is not null && options.Username is null)
        {
            problems.Add("A password is set without a user name; MQTT needs both.");
        }

        if (options.KeepAlivePeriod < TimeSpan.Zero || options.KeepAlivePeriod.TotalSeconds > ushort.MaxValue)
        {
            problems.Add($"KeepAlivePeriod {options.KeepAlivePeriod} is outside 0-65535 s.");
        }

        if (options.KeepAlivePeriod > TimeSpan.Zero && options.KeepAlivePeriod < TimeSpan.FromSeconds(1))
        {
            problems.Add("KeepAlivePeriod is below 1 s; MQTT counts it in whole seconds.");
        }

        if (options.Timeout <= TimeSpan.Zero)
        {
            problems.Add("Timeout must be positive.");
        }

        if (options.MaxInflight is < 1 or > 65535)
        {
            problems.Add($"MaxInflight {options.MaxInflight} is outside 1-65535.");
        }

        if (options.ReceiveMaximum is < 1 or > 65535)
        {
            problems.Add($"ReceiveMaximum {options.ReceiveMaximum} is outside 1-65535.");
        }

        if (options.ReconnectMinDelay <= TimeSpan.Zero || options.ReconnectMaxDelay < options.ReconnectMinDelay)
        {
            problems.Add("Reconnect delays must be positive with ReconnectMaxDelay >= ReconnectMinDelay.");
        }

        if (options.ReconnectHealthyAfter <= TimeSpan.Zero)
        {
            problems.Add("ReconnectHealthyAfter must be positive.");
        }

        if (options.MaxPacketSize < MinMaxPacketSize || options.MaxPacketSize > MqttPublishPacketSize.MaxRemainingLength + 5)
        {
            problems.Add($"MaxPacketSize {options.MaxPacketSize} is outside {MinMaxPacketSize}-{MqttPublishPacketSize.MaxRemainingLength + 5} bytes.");
        }

        if (options.WillMessage is { } will)
        {
            if (MqttTopicValidator.TopicNameProblem(will.Topic) is { } problem)
            {
                problems.Add($"Will message: {problem}.");
            }

            if (will.Qos > MqttQualityOfServiceLevel.AtLeastOnce)
            {
                problems.Add("Will message QoS 2 is not supported by this client; use QoS 0 or 1.");
            }

            if (will.Payload.Length > MqttTopicValidator.MaxStringBytes)
            {
                problems.Add("Will message payload is longer than 65535 bytes.");
            }
        }

        if (options.Tls is { } tls)
        {
            if (tls.CaFile is not null && !File.Exists(tls.CaFile))
            {
                problems.Add($"TLS CA file '{tls.CaFile}' does not exist.");
            }

            if ((tls.ClientCertificateFile is null) != (tls.ClientKeyFile is null))
            {
                problems.Add("TLS client certificate and key must be given together.");
            }

            foreach (string? file in new[] { tls.ClientCertificateFile, tls.ClientKeyFile })
            {
                if (file is not null && !File.Exists(file))
                {
                    problems.Add($"TLS file '{file}' does not exist.");
                }
            }
        }

        if (options.OfflineQueue is { } queue)
        {
            if (string.IsNullOrWhiteSpace(queue.Directory))
            {
                problems.Add("Offline queue directory is empty.");
            }

            if (queue.MaxBytes < 1024)
            {
                problems.Add($"Offline queue MaxBytes {queue.MaxBytes} is below 1024.");
            }

            if (queue.SegmentBytes < 1024)
            {
                problems.Add($"Offline queue SegmentBytes {queue.SegmentBytes} is below 1024.");
            }
        }

        return problems;
    }

    /// <summary>Throws <see cref="MqttConfigurationException"/> listing every problem, if there is any.</summary>
    public static void ThrowIfInvalid(MqttClientOptions options)
    {
        IReadOnlyList<string> problems = Problems(options);
        if (problems.Count > 0)
        {
            throw new MqttConfigurationException("MQTT client options are invalid: " + string.Join(" ", problems));
        }
    }
}
