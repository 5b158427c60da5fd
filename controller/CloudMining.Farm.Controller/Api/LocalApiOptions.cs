namespace CloudMining.Farm.Controller.Api;

/// <summary>The "Controller:Api" section: where the local operator API (what farmctl talks to) listens.</summary>
public sealed class LocalApiOptions
{
    /// <summary>The default address: loopback only, a port no common service uses.</summary>
    public const string DefaultUrl = "http://127.0.0.1:8650";

    /// <summary>Whether `farm-controller run` serves the API at all.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>http://host:port to listen on; the host must be a loopback address unless <see cref="AllowNonLoopback"/>.</summary>
    public string Url { get; set; } = DefaultUrl;

    /// <summary>
    /// The API has no authentication of its own: anyone who reaches it can sell and end contracts. Listening beyond
    /// loopback is therefore refused unless this is set, and then it belongs behind an authenticating reverse proxy.
    /// </summary>
    public bool AllowNonLoopback { get; set; }
}
