namespace CloudMining.Farm.Influx.Client;

/// <summary>Checks <see cref="InfluxDBClientOptions"/> before anything is sent, naming each configuration key at fault and the fix.</summary>
public static class InfluxDBClientOptionsValidator
{
    /// <summary>Throws <see cref="InfluxConfigurationException"/> for the first setting that cannot work.</summary>
    public static void Validate(InfluxDBClientOptions options)
    {
        if (Problems(options) is [var first, ..])
        {
            throw new InfluxConfigurationException(first.Key, first.ToString());
        }
    }

    /// <summary>Every setting that cannot work, in the order of the keys (empty when the options are usable).</summary>
    public static IReadOnlyList<InfluxConfigurationProblem> Problems(InfluxDBClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<InfluxConfigurationProblem>();
        void Add(string key, string message) => problems.Add(new InfluxConfigurationProblem(key, message));
        if (string.IsNullOrWhiteSpace(options.Url))
        {
            Add("Influx:Url", "is empty; set it to the InfluxDB HTTP API, e.g. http://127.0.0.1:8086.");
        }
        else if (!Uri.TryCreate(options.Url, UriKind.Absolute, out Uri? uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            Add("Influx:Url", $"\"{Redact(options.Url)}\" is not an absolute http:// or https:// URL; set it like http://127.0.0.1:8086.");
        }
        else if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            Add("Influx:Url", "carries credentials (user:password@host); move them to Influx:Username/Influx:Password (v1) or Influx:Token (v2).");
        }

        if (options.Timeout <= TimeSpan.Zero)
        {
            Add("Influx:Timeout", $"is {options.Timeout}; set a positive duration such as 00:00:10.");
        }

        switch (options.ApiVersion)
        {
            case InfluxApiVersion.V1:
                if (string.IsNullOrWhiteSpace(options.Database))
                {
                    Add("Influx:Database", "is empty; name the InfluxDB 1.x database to write to (create it with: influx -execute 'CREATE DATABASE farm').");
                }

                if (string.IsNullOrEmpty(options.Username) != string.IsNullOrEmpty(options.Password))
                {
                    Add(string.IsNullOrEmpty(options.Username) ? "Influx:Username" : "Influx:Password", "is empty while its partner is set; give both Influx:Username and Influx:Password, or neither for a server without auth.");
                }

                break;
            case InfluxApiVersion.V2:
                if (string.IsNullOrWhiteSpace(options.Bucket))
                {
                    Add("Influx:Bucket", "is empty; name the bucket to write to (Influx:ApiVersion is 2).");
                }

                if (string.IsNullOrWhiteSpace(options.Org))
                {
                    Add("Influx:Org", "is empty; name the organisation that owns Influx:Bucket (Influx:ApiVersion is 2).");
                }

                break;
            default:
                Add("Influx:ApiVersion", $"is {(int)options.ApiVersion}; use 1 (InfluxDB 1.x) or 2 (InfluxDB 2.x / compatible).");
                break;
        }

        return problems;
    }

    // A URL that failed to parse may still hold "user:pass@"; never echo that part.
    internal static string Redact(string url)
    {
        int at = url.IndexOf('@', StringComparison.Ordinal);
        int scheme = url.IndexOf("://", StringComparison.Ordinal);
        return at > 0 ? (scheme >= 0 && scheme < at ? url[..(scheme + 3)] : "") + "***@" + url[(at + 1)..] : url;
    }
}
