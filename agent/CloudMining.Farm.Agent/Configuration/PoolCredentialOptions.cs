namespace CloudMining.Farm.Agent.Configuration;

/// <summary>
/// One pool password the agent keeps locally (Agent:PoolCredentials): the controller names pools by URL and worker
/// only, so the secret never travels over MQTT. <see cref="Url"/> is a pool URL or "*"; <see cref="User"/> a worker,
/// a prefix ending in "*" ("acct.*") or "*". The most specific entry wins; no entry means "x", which pools accept.
/// </summary>
public sealed class PoolCredentialOptions
{
    public string Url { get; set; } = "*";

    public string User { get; set; } = "*";

    /// <summary>Never logged; prefer FARM_AGENT_Agent__PoolCredentials__0__Password to the file.</summary>
    public string? Password { get; set; }

    public override string ToString() => $"{Url} {User} (password {(string.IsNullOrEmpty(Password) ? "not set" : "set")})";
}
