namespace CloudMining.Farm.Controller.Api;

/// <summary>The "Controller:Api" section: where the local operator API (what farmctl talks to) listens.</summary>
public sealed class LocalApiOptions
{
    public const string SectionName = "Controller:Api";

    /// <summary>The default address: loopback only, a port no common service uses.</summary>
    public const string DefaultUrl = ControlApiDefaults.Url;

    /// <summary>Whether `farm-controller run` serves the API at all.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>http://host:port to listen on; the host must be a loopback address unless <see cref="AllowNonLoopback"/>.</summary>
    public string Url { get; set; } = DefaultUrl;

    /// <summary>
    /// The API speaks plain HTTP, so its token would cross the network unencrypted. Listening beyond loopback is
    /// therefore refused unless this is set, and then it belongs behind a TLS reverse proxy.
    /// </summary>
    public bool AllowNonLoopback { get; set; }

    /// <summary>
    /// The file holding the bearer token every request must carry (created at start when missing, mode 0640). Empty
    /// means "api-token" beside Controller:Database, e.g. /var/lib/farm-controller/api-token. farmctl reads the same
    /// file: whoever may read it (the controller's user and the farm-operators group) may sell and end contracts.
    /// </summary>
    public string TokenFile { get; set; } = "";
}
