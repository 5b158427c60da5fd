using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CloudMining.Farm.Mqtt.Client.Options;
using CloudMining.Farm.Mqtt.Exceptions;

namespace CloudMining.Farm.Mqtt.Channel;

/// <summary>Opens the byte stream to the broker: plain TCP, or TLS over it with our own CA and host-name rules.</summary>
public static class MqttTcpChannel
{
    public static async Task<Stream> ConnectAsync(MqttClientOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(options.Host, options.Port, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException ex)
        {
            socket.Dispose();
            throw new MqttCommunicationException(
                $"Cannot reach the MQTT broker at {options.Endpoint}: {ex.SocketErrorCode}. Check that the broker runs and the host/port are right.", ex);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        var network = new NetworkStream(socket, ownsSocket: true);
        if (options.Tls is not { } tls)
        {
            return network;
        }

        try
        {
            return await AuthenticateAsync(network, options, tls, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await network.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static async Task<Stream> AuthenticateAsync(NetworkStream network, MqttClientOptions options, MqttClientTlsOptions tls, CancellationToken cancellationToken)
    {
        string targetHost = tls.TargetHost ?? options.Host;
        X509Certificate2Collection? trusted = null;
        X509Certificate2Collection? clientCertificates = null;
        try
        {
            if (tls.CaFile is not null)
            {
                trusted = [];
                trusted.ImportFromPemFile(tls.CaFile);
            }

            if (tls.ClientCertificateFile is not null && tls.ClientKeyFile is not null)
            {
                clientCertificates = [X509Certificate2.CreateFromPemFile(tls.ClientCertificateFile, tls.ClientKeyFile)];
            }
        }
        catch (Exception ex) when (ex is CryptographicException or IOException or UnauthorizedAccessException)
        {
            throw new MqttTlsException($"Cannot read the TLS certificate files for {options.Endpoint}: {ex.Message}", ex);
        }

        string? rejection = null;
        bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
        {
            if (certificate is null)
            {
                rejection = "the broker sent no certificate";
                return false;
            }

            if (tls.CheckHostName && (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
            {
                rejection = $"the broker certificate ({certificate.Subject}) is not issued to host name '{targetHost}'; connect by the name in the certificate or reissue it";
                return false;
            }

            if (trusted is null)
            {
                if ((errors & ~SslPolicyErrors.RemoteCertificateNameMismatch) == SslPolicyErrors.None)
                {
                    return true;
                }

                rejection = $"the broker certificate ({certificate.Subject}) is not trusted by the system store ({errors}); give the CA file";
                return false;
            }

            using var custom = new X509Chain();
            custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            custom.ChainPolicy.CustomTrustStore.AddRange(trusted);
            custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            using var leaf = new X509Certificate2(certificate);
            if (custom.Build(leaf))
            {
                return true;
            }

            string status = string.Join(", ", custom.ChainStatus.Select(s => s.Status));
            rejection = $"the broker certificate ({leaf.Subject}) is not signed by the CA in '{tls.CaFile}' ({status}); use the CA that issued it";
            return false;
        }

        var ssl = new SslStream(network, leaveInnerStreamOpen: false);
        try
        {
            await ssl.AuthenticateAsClientAsync(
                new SslClientAuthenticationOptions
                {
                    TargetHost = targetHost,
                    ClientCertificates = clientCertificates,
                    RemoteCertificateValidationCallback = Validate,
                },
                cancellationToken).ConfigureAwait(false);
            return ssl;
        }
        catch (Exception ex) when (ex is AuthenticationException or IOException)
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            throw new MqttTlsException($"TLS handshake with {options.Endpoint} failed: {rejection ?? ex.Message}.", ex);
        }
    }
}
