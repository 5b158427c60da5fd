using MQTTnet.Formatter;

namespace CloudMining.Farm.Mqtt.Client.Options;

/// <summary>Fluent construction of <see cref="MqttClientOptions"/>, validated on <see cref="Build"/>.</summary>
public sealed class MqttClientOptionsBuilder
{
    private MqttClientOptions _options = new();

    public MqttClientOptionsBuilder WithTcpServer(string host, int? port = null)
    {
        _options = _options with { Host = host, Port = port ?? (_options.Tls is null ? 1883 : 8883) };
        return this;
    }

    public MqttClientOptionsBuilder WithClientId(string clientId)
    {
        _options = _options with { ClientId = clientId };
        return this;
    }

    /// <summary>MQTT 5 (default) or 3.1.1.</summary>
    public MqttClientOptionsBuilder WithProtocolVersion(MqttProtocolVersion version)
    {
        _options = _options with { ProtocolVersion = version };
        return this;
    }

    public MqttClientOptionsBuilder WithCredentials(string username, string? password)
    {
        _options = _options with { Username = username, Password = password };
        return this;
    }

    public MqttClientOptionsBuilder WithCleanSession(bool cleanSession = true)
    {
        _options = _options with { CleanSession = cleanSession };
        return this;
    }

    public MqttClientOptionsBuilder WithKeepAlivePeriod(TimeSpan period)
    {
        _options = _options with { KeepAlivePeriod = period };
        return this;
    }

    public MqttClientOptionsBuilder WithWillMessage(MqttApplicationMessage will)
    {
        _options = _options with { WillMessage = will };
        return this;
    }

    public MqttClientOptionsBuilder WithTls(MqttClientTlsOptions tls)
    {
        _options = _options with { Tls = tls };
        return this;
    }

    public MqttClientOptionsBuilder WithTimeout(TimeSpan timeout)
    {
        _options = _options with { Timeout = timeout };
        return this;
    }

    /// <summary>MQTT 5 Receive Maximum to announce (see <see cref="MqttClientOptions.ReceiveMaximum"/>).</summary>
    public MqttClientOptionsBuilder WithReceiveMaximum(int receiveMaximum)
    {
        _options = _options with { ReceiveMaximum = receiveMaximum };
        return this;
    }

    public MqttClientOptionsBuilder WithMaxInflight(int maxInflight)
    {
        _options = _options with { MaxInflight = maxInflight };
        return this;
    }

    /// <summary>Largest whole packet sent or received (see <see cref="MqttClientOptions.MaxPacketSize"/>).</summary>
    public MqttClientOptionsBuilder WithMaxPacketSize(int maxPacketSize)
    {
        _options = _options with { MaxPacketSize = maxPacketSize };
        return this;
    }

    /// <summary>How long a connection must stay up before the reconnect backoff starts again from its shortest delay.</summary>
    public MqttClientOptionsBuilder WithReconnectHealthyAfter(TimeSpan healthyAfter)
    {
        _options = _options with { ReconnectHealthyAfter = healthyAfter };
        return this;
    }

    public MqttClientOptionsBuilder WithAutoReconnect(TimeSpan? minDelay = null, TimeSpan? maxDelay = null)
    {
        _options = _options with
        {
            AutoReconnect = true,
            ReconnectMinDelay = minDelay ?? _options.ReconnectMinDelay,
            ReconnectMaxDelay = maxDelay ?? _options.ReconnectMaxDelay,
        };
        return this;
    }

    public MqttClientOptionsBuilder WithOfflineQueue(MqttOfflineQueueOptions queue)
    {
        _options = _options with { OfflineQueue = queue };
        return this;
    }

    public MqttClientOptionsBuilder WithTimeProvider(TimeProvider timeProvider)
    {
        _options = _options with { TimeProvider = timeProvider };
        return this;
    }

    public MqttClientOptions Build()
    {
        MqttClientOptionsValidator.ThrowIfInvalid(_options);
        return _options;
    }
}
