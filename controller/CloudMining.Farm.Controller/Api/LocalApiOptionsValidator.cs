using System.Net;
using CloudMining.Farm.Controller.Configuration;

namespace CloudMining.Farm.Controller.Api;

/// <summary>Checks the local API's address before anything listens, refusing non-loopback hosts unless explicitly allowed.</summary>
public static class LocalApiOptionsValidator
{
    private const string UrlKey = "Controller:Api:Url";

    /// <summary>Throws <see cref="ControllerConfigurationException"/> naming Controller:Api:Url when it is unusable.</summary>
    public static Uri Validate(LocalApiOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!Uri.TryCreate(options.Url, UriKind.Absolute, out Uri? uri) || uri.Scheme != Uri.UriSchemeHttp)
        {
            throw new ControllerConfigurationException(UrlKey, $"'{options.Url}' is not an http:// URL; use e.g. \"{LocalApiOptions.DefaultUrl}\".");
        }

        if (uri.AbsolutePath != "/" || !string.IsNullOrEmpty(uri.Query))
        {
            throw new ControllerConfigurationException(UrlKey, $"'{options.Url}' has a path or query; give only http://host:port, e.g. \"{LocalApiOptions.DefaultUrl}\".");
        }

        if (uri.HostNameType is not (UriHostNameType.IPv4 or UriHostNameType.IPv6) && !string.Equals(uri.Host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            throw new ControllerConfigurationException(UrlKey, $"'{options.Url}' names the host '{uri.Host}'; give an IP address to listen on (127.0.0.1 for this machine only) or localhost.");
        }

        if (uri.IsDefaultPort && !options.Url.Contains($":{uri.Port}", StringComparison.Ordinal))
        {
            throw new ControllerConfigurationException(UrlKey, $"'{options.Url}' has no port; give one, e.g. \"{LocalApiOptions.DefaultUrl}\".");
        }

        if (!IsLoopback(uri.Host) && !options.AllowNonLoopback)
        {
            throw new ControllerConfigurationException(
                UrlKey,
                $"'{options.Url}' listens beyond loopback, but the local API speaks plain HTTP: its token would cross the network unencrypted, and whoever sniffs it could sell or end contracts. " +
                "Use 127.0.0.1 (or ::1), or set Controller:Api:AllowNonLoopback to true and put the API behind a TLS reverse proxy.");
        }

        return uri;
    }

    /// <summary>True for "localhost" and any address in 127.0.0.0/8 or ::1.</summary>
    public static bool IsLoopback(string host)
    {
        ArgumentNullException.ThrowIfNull(host);
        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        return IPAddress.TryParse(host.Trim('[', ']'), out IPAddress? address) && IPAddress.IsLoopback(address);
    }
}
