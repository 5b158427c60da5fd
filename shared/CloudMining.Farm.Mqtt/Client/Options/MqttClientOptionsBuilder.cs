using CloudMining.Farm.Mqtt.Client;

namespace CloudMining.Farm.Mqtt.Client.Options;

/// <summary>Fluent construction of <see cref="MqttClientOptions"/>, validated on <see cref="Build"/>.</summary>
public sealed class MqttClientOptionsBuilder
{
    private MqttClientOptions options = new();

    public MqttClientOptionsBuilder WithTcpServer(string host, int? port = null)
    {
        options = options with { Host = host, Port = port ?? (options.Tls is null ? 1883 : 8883) };
        return this;
    }

    public MqttClientOptionsBuilder WithClientId(string clientId)
    {
        options = options with { ClientId = clientId };
        return this;
    }

    public MqttClientOptionsBuilder WithCredentials(string username, string? password)
    {
        options = options with { Username = username, Password = password };
        return this;
    }

    public MqttClientOptionsBuilder WithCleanSession(bool cleanSession = true)
    {
        options = options with { CleanSession = cleanSession };
        return this;
    }

    public MqttClientOptionsBuilder WithKeepAlivePeriod(TimeSpan period)
    {
        options = options with { KeepAlivePeriod = period };
        return this;
    }

    public MqttClientOptionsBuilder WithWillMessage(MqttApplicationMessage will)
    {
        options = options with { WillMessage = will };
        return this;
    }

    public MqttClientOptionsBuilder WithTls(MqttClientTlsOptions tls)
    {
        options = options with { Tls = tls };
        return this;
    }

    public MqttClientOptionsBuilder WithTimeout(TimeSpan timeout)
    {
        options = options with { Timeout = timeout };
        return this;
    }

    public MqttClientOptionsBuilder WithMaxInflight(int maxInflight)
    {
        options = options with { MaxInflight = maxInflight };
        return this;
    }

    /// <summary>Largest whole packet sent or received (see <see cref="MqttClientOptions.MaxPacketSize"/>).</summary>
    public MqttClientOptionsBuilder WithMaxPacketSize(int maxPacketSize)
    {
        options = options with { MaxPacketSize = maxPacketSize };
        return this;
    }

    /// <summary>How long a connection must stay up before the reconnect backoff starts again from its shortest delay.</summary>
    public MqttClientOptionsBuilder WithReconnectHealthyAfter(TimeSpan healthyAfter)
    {
        options = options with { ReconnectHealthyAfter = healthyAfter };
        return this;
    }

    public MqttClientOptionsBuilder WithAutoReconnect(TimeSpan? minDelay = null, TimeSpan? maxDelay = null)
    {
        options = options with
        {
            AutoReconnect = true,
            ReconnectMinDelay = minDelay ?? options.ReconnectMinDelay,
            ReconnectMaxDelay = maxDelay ?? options.ReconnectMaxDelay,
        };
        return this;
    }

    public MqttClientOptionsBuilder WithOfflineQueue(MqttOfflineQueueOptions queue)
    {
        options = options with { OfflineQueue = queue };
        return this;
    }

    public MqttClientOptionsBuilder WithTimeProvider(TimeProvider timeProvider)
    {
        options = options with { TimeProvider = timeProvider };
        return this;
    }

    public MqttClientOptions Build()
    {
        MqttClientOptionsValidator.ThrowIfInvalid(options);
        return options;
    }
}
