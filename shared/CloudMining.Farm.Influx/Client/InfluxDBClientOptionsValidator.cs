namespace CloudMining.Farm.Influx.Client;

/// <summary>Checks <see cref="InfluxDBClientOptions"/> before anything is sent, naming the configuration key and the fix.</summary>
public static class InfluxDBClientOptionsValidator
{
    /// <summary>Throws <see cref="InfluxConfigurationException"/> for the first setting that cannot work.</summary>
    public static void Validate(InfluxDBClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.Url))
        {
            throw new InfluxConfigurationException("Influx:Url", "Influx:Url is empty; set it to the InfluxDB HTTP API, e.g. http://127.0.0.1:8086.");
        }

        if (!Uri.TryCreate(options.Url, UriKind.Absolute, out Uri? uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new InfluxConfigurationException("Influx:Url", $"Influx:Url \"{Redact(options.Url)}\" is not an absolute http:// or https:// URL; set it like http://127.0.0.1:8086.");
        }

        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            throw new InfluxConfigurationException("Influx:Url", "Influx:Url carries credentials (user:password@host); move them to Influx:Username/Influx:Password (v1) or Influx:Token (v2).");
        }

        if (options.Timeout <= TimeSpan.Zero)
        {
            throw new InfluxConfigurationException("Influx:Timeout", $"Influx:Timeout is {options.Timeout}; set a positive duration such as 00:00:10.");
        }

        switch (options.ApiVersion)
        {
            case InfluxApiVersion.V1:
                if (string.IsNullOrWhiteSpace(options.Database))
                {
                    throw new InfluxConfigurationException("Influx:Database", "Influx:Database is empty; name the InfluxDB 1.x database to write to (create it with: influx -execute 'CREATE DATABASE farm').");
                }

                if (string.IsNullOrEmpty(options.Username) != string.IsNullOrEmpty(options.Password))
                {
                    string missing = string.IsNullOrEmpty(options.Username) ? "Influx:Username" : "Influx:Password";
                    throw new InfluxConfigurationException(missing, $"{missing} is empty while its partner is set; give both Influx:Username and Influx:Password, or neither for a server without auth.");
                }

                break;
            case InfluxApiVersion.V2:
                if (string.IsNullOrWhiteSpace(options.Bucket))
                {
                    throw new InfluxConfigurationException("Influx:Bucket", "Influx:Bucket is empty; name the bucket to write to (Influx:ApiVersion is 2).");
                }

                if (string.IsNullOrWhiteSpace(options.Org))
                {
                    throw new InfluxConfigurationException("Influx:Org", "Influx:Org is empty; name the organisation that owns Influx:Bucket (Influx:ApiVersion is 2).");
                }

                break;
            default:
                throw new InfluxConfigurationException("Influx:ApiVersion", $"Influx:ApiVersion is {(int)options.ApiVersion}; use 1 (InfluxDB 1.x) or 2 (InfluxDB 2.x / compatible).");
        }
    }

    // A URL that failed to parse may still hold "user:pass@"; never echo that part.
    internal static string Redact(string url)
    {
        int at = url.IndexOf('@', StringComparison.Ordinal);
        int scheme = url.IndexOf("://", StringComparison.Ordinal);
        return at > 0 ? (scheme >= 0 && scheme < at ? url[..(scheme + 3)] : "") + "***@" + url[(at + 1)..] : url;
    }
}
