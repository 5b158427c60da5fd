using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CloudMining.Farm.Mqtt.Client.Options;
using CloudMining.Farm.Mqtt.Exceptions;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using Net = MQTTnet;

namespace CloudMining.Farm.Mqtt.Client;

/// <summary>
/// Translates our options into MQTTnet's. What stays ours is the TLS trust rule (our own CA file as the only root,
/// host-name check switchable for labs) with errors that say what to fix, recorded in <see cref="TlsRejection"/>.
/// </summary>
internal sealed class MqttNetOptions
{
    private readonly MqttClientOptions _options;
    private readonly X509Certificate2Collection? _trusted;
    private readonly X509Certificate2Collection? _clientCertificates;

    public MqttNetOptions(MqttClientOptions options)
    {
        _options = options;
        if (options.Tls is not { } tls)
        {
            return;
        }

        try
        {
            if (tls.CaFile is not null)
            {
                _trusted = [];
                _trusted.ImportFromPemFile(tls.CaFile);
            }

            if (tls.ClientCertificateFile is not null && tls.ClientKeyFile is not null)
            {
                _clientCertificates = [X509Certificate2.CreateFromPemFile(tls.ClientCertificateFile, tls.ClientKeyFile)];
            }
        }
        catch (Exception ex) when (ex is CryptographicException or IOException or UnauthorizedAccessException)
        {
            throw new MqttTlsException($"Cannot read the TLS certificate files for {options.Endpoint}: {ex.Message}", ex);
        }
    }

    /// <summary>Why the last TLS handshake refused the broker's certificate, or null.</summary>
    public string? TlsRejection { get; private set; }

    public Net.MqttClientOptions Build()
    {
        TlsRejection = null;
        Net.MqttClientOptionsBuilder builder = new Net.MqttClientOptionsBuilder()
            .WithTcpServer(_options.Host, _options.Port)
            .WithClientId(_options.ClientId)
            .WithProtocolVersion(_options.ProtocolVersion)
            .WithCleanSession(_options.CleanSession)
            .WithKeepAlivePeriod(KeepAlive(_options))
            .WithTimeout(_options.Timeout)
            .WithoutPacketFragmentation();
        if (_options.ProtocolVersion == MqttProtocolVersion.V500)
        {
            // Announced at CONNECT: the broker never sends this client a packet it could not take.
            builder = builder.WithMaximumPacketSize((uint)_options.MaxPacketSize);
            if (_options.ReceiveMaximum is { } receiveMaximum)
            {
                builder = builder.WithReceiveMaximum((ushort)receiveMaximum);
            }
            if (!_options.CleanSession)
            {
                // MQTT 5 ends a session when the connection closes unless it is given an expiry; keep it like 3.1.1 does.
                builder = builder.WithSessionExpiryInterval(uint.MaxValue);
            }
        }

        if (_options.Username is not null)
        {
            builder = builder.WithCredentials(_options.Username, _options.Password);
        }

        if (_options.WillMessage is { } will)
        {
            builder = builder.WithWillTopic(will.Topic)
                .WithWillPayload(will.Payload.ToArray())
                .WithWillQualityOfServiceLevel((MqttQualityOfServiceLevel)will.Qos)
                .WithWillRetain(will.Retain);
        }

        if (_options.Tls is { } tls)
        {
            string targetHost = tls.TargetHost ?? _options.Host;
            builder = builder.WithTlsOptions(o =>
            {
                o.UseTls().WithTargetHost(targetHost).WithCertificateValidationHandler(args => Validate(tls, targetHost, args.Certificate, args.SslPolicyErrors));
                if (_clientCertificates is not null)
                {
                    o.WithClientCertificates(_clientCertificates);
                }
            });
        }

        Net.MqttClientOptions built = builder.Build();

        // MQTTnet sets SO_RCVBUF/SO_SNDBUF to this (8 KB by default), which also turns off Linux's receive-window
        // autotuning: the broker could have only a few 1–2 KB messages in flight to a subscriber before waiting for it.
        // The kernel caps the value at net.core.rmem_max / wmem_max.
        ((Net.MqttClientTcpOptions)built.ChannelOptions).BufferSize = SocketBufferSize;
        return built;
    }

    /// <summary>The socket send and receive buffer asked of the kernel: one largest packet (<see cref="Shared.Wire.FarmMqttLimits.MaxPacketSize"/>).</summary>
    public const int SocketBufferSize = Shared.Wire.FarmMqttLimits.MaxPacketSize;

    // MQTT 5 brokers answer a keep-alive of 0 with their own Server Keep Alive (mosquitto: max_keepalive, 65535 s by
    // default). MQTTnet 5.2 then starts its ping loop but times each ping with the zero it was configured with, and
    // closes the healthy connection ("NormalDisconnection: The operation has timed out") a moment after CONNACK. So
    // under MQTT 5 "no keep-alive" is asked for as the longest one, which is what the broker would impose anyway.
    private static TimeSpan KeepAlive(MqttClientOptions options) =>
        options.KeepAlivePeriod == TimeSpan.Zero && options.ProtocolVersion == MqttProtocolVersion.V500
            ? TimeSpan.FromSeconds(ushort.MaxValue)
            : options.KeepAlivePeriod;

    private bool Validate(MqttClientTlsOptions tls, string targetHost, X509Certificate? certificate, SslPolicyErrors errors)
    {
        if (certificate is null)
        {
            TlsRejection = "the broker sent no certificate";
            return false;
        }

        if (tls.CheckHostName && (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
        {
            TlsRejection = $"the broker certificate ({certificate.Subject}) is not issued to host name '{targetHost}'; connect by the name in the certificate or reissue it";
            return false;
        }

        if (_trusted is null)
        {
            if ((errors & ~SslPolicyErrors.RemoteCertificateNameMismatch) == SslPolicyErrors.None)
            {
                return true;
            }

            TlsRejection = $"the broker certificate ({certificate.Subject}) is not trusted by the system store ({errors}); give the CA file";
            return false;
        }

        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.AddRange(_trusted);
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var leaf = new X509Certificate2(certificate);
        if (custom.Build(leaf))
        {
            return true;
        }

        string status = string.Join(", ", custom.ChainStatus.Select(s => s.Status));
        TlsRejection = $"the broker certificate ({leaf.Subject}) is not signed by the CA in '{tls.CaFile}' ({status}); use the CA that issued it";
        return false;
    }
}
