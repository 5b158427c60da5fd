using CloudMining.Farm.Agent.Configuration;
using CloudMining.Farm.Mqtt.Client;
using CloudMining.Farm.Mqtt.Client.Options;
using CloudMining.Farm.Mqtt.Messages;
using CloudMining.Farm.Shared.Wire;

namespace CloudMining.Farm.Agent.Telemetry;

/// <summary>Turns the "Agent:Mqtt" section into validated client options: last will, reconnect, disk offline queue.</summary>
public static class AgentMqttClientOptions
{
    /// <summary>The client id and publisher name: Agent:Mqtt:ClientId, or "agent-{site}-{rack}".</summary>
    public static string ClientId(AgentOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return string.IsNullOrWhiteSpace(options.Mqtt.ClientId) ? $"agent-{options.Site}-{options.RackId}" : options.Mqtt.ClientId.Trim();
    }

    /// <summary>Agent:Mqtt:OfflineQueueDirectory (relative to the state folder), or "{StateDirectory}/mqtt-queue".</summary>
    public static string QueueDirectory(AgentOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return string.IsNullOrWhiteSpace(options.Mqtt.OfflineQueueDirectory)
            ? Path.Combine(options.StateDirectory, "mqtt-queue")
            : Path.GetFullPath(options.Mqtt.OfflineQueueDirectory, options.StateDirectory);
    }

    /// <summary>Builds the client options; throws <see cref="Mqtt.Exceptions.MqttConfigurationException"/> listing every problem.</summary>
    public static MqttClientOptions Build(AgentOptions options, ReadOnlyMemory<byte> willPayload, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        AgentMqttOptions mqtt = options.Mqtt;
        var builder = new MqttClientOptionsBuilder();
        if (mqtt.UsesTls)
        {
            builder.WithTls(new MqttClientTlsOptions
            {
                CaFile = Blank(mqtt.CaFile),
                ClientCertificateFile = Blank(mqtt.ClientCertificateFile),
                ClientKeyFile = Blank(mqtt.ClientKeyFile),
            });
        }

        builder.WithTcpServer(mqtt.Host!.Trim(), mqtt.EffectivePort)
            .WithClientId(ClientId(options))
            .WithKeepAlivePeriod(mqtt.KeepAlive)
            .WithProtocolVersion(MqttProtocolVersions.TryParse(mqtt.ProtocolVersion, out MQTTnet.Formatter.MqttProtocolVersion version)
                ? version
                : throw new Mqtt.Exceptions.MqttConfigurationException($"Agent:Mqtt:ProtocolVersion '{mqtt.ProtocolVersion}' is not {MqttProtocolVersions.Accepted}."))

            // The broker's max_packet_size: a bigger message is refused here, before it could reach the disk queue.
            .WithMaxPacketSize(FarmMqttLimits.MaxPacketSize)
            .WithAutoReconnect(TimeSpan.FromMilliseconds(200), mqtt.ReconnectMaxDelay)
            .WithTimeProvider(time)

            // The will is what makes the retained status tell the truth after a power cut or a kill -9.
            .WithWillMessage(new MqttApplicationMessage
            {
                Topic = FarmTopics.AgentStatus(options.Site, options.RackId),
                Payload = willPayload,
                Qos = MqttQualityOfServiceLevel.AtLeastOnce,
                Retain = true,
            })
            .WithOfflineQueue(new MqttOfflineQueueOptions
            {
                Directory = QueueDirectory(options),
                MaxBytes = mqtt.OfflineQueueMaxBytes,
                FullPolicy = MqttOfflineQueueFullPolicy.DropOldest,
            });
        if (!string.IsNullOrWhiteSpace(mqtt.Username))
        {
            builder.WithCredentials(mqtt.Username.Trim(), mqtt.Password);
        }

        return builder.Build();
    }

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s;
}
