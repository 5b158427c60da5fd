using System.Net;
using CloudMining.Farm.Controller.Configuration;
using Microsoft.Extensions.Options;

namespace CloudMining.Farm.Controller.Api;

/// <summary>
/// Checks the "Controller:Api" section before anything listens, refusing non-loopback hosts unless explicitly allowed;
/// a disabled API is not checked.
/// </summary>
public sealed class LocalApiOptionsValidator : IValidateOptions<LocalApiOptions>
{
    private const string UrlKey = "Controller:Api:Url";

    public ValidateOptionsResult Validate(string? name, LocalApiOptions options)
    {
        var errors = new ConfigurationErrors();
        Check(options, errors);
        return errors.ToResult();
    }

    /// <summary>Adds every problem of an enabled API's options to <paramref name="errors"/>.</summary>
    public static void Check(LocalApiOptions options, ConfigurationErrors errors)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(errors);
        if (options.Enabled && Problem(options, out _) is { } problem)
        {
            errors.Add(UrlKey, problem);
        }
    }

    /// <summary>The address to listen on; throws <see cref="ControllerConfigurationException"/> naming Controller:Api:Url when it is unusable.</summary>
    public static Uri Validate(LocalApiOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Problem(options, out Uri? uri) is { } problem ? throw new ControllerConfigurationException(UrlKey, problem) : uri!;
    }

    private static string? Problem(LocalApiOptions options, out Uri? uri)
    {
        if (!Uri.TryCreate(options.Url, UriKind.Absolute, out uri) || uri.Scheme != Uri.UriSchemeHttp)
        {
            return $"'{options.Url}' is not an http:// URL; use e.g. \"{LocalApiOptions.DefaultUrl}\".";
        }

        if (uri.AbsolutePath != "/" || !string.IsNullOrEmpty(uri.Query))
        {
            return $"'{options.Url}' has a path or query; give only http://host:port, e.g. \"{LocalApiOptions.DefaultUrl}\".";
        }

        if (uri.HostNameType is not (UriHostNameType.IPv4 or UriHostNameType.IPv6) && !string.Equals(uri.Host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            return $"'{options.Url}' names the host '{uri.Host}'; give an IP address to listen on (127.0.0.1 for this machine only) or localhost.";
        }

        if (uri.IsDefaultPort && !options.Url.Contains($":{uri.Port}", StringComparison.Ordinal))
        {
            return $"'{options.Url}' has no port; give one, e.g. \"{LocalApiOptions.DefaultUrl}\".";
        }

        if (!IsLoopback(uri.Host) && !options.AllowNonLoopback)
        {
            return $"'{options.Url}' listens beyond loopback, but the local API speaks plain HTTP: its token would cross the network unencrypted, and whoever sniffs it could sell or end contracts. " +
                "Use 127.0.0.1 (or ::1), or set Controller:Api:AllowNonLoopback to true and put the API behind a TLS reverse proxy.";
        }

        return null;
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
