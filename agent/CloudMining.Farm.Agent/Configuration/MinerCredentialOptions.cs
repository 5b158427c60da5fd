namespace CloudMining.Farm.Agent.Configuration;

/// <summary>
/// One login for miners' write channels (Agent:MinerCredentials): the web or admin password of a miner, of every
/// miner of a firmware profile, or of every miner. <see cref="Miner"/> is a miner id, a prefix ending in "*"
/// ("A01-*") or "*"; <see cref="Profile"/> a firmware profile name or "*". The most specific entry wins. Keep these in
/// the secrets file (readable by the service user only) or in FARM_AGENT_Agent__MinerCredentials__N__Password.
/// </summary>
public sealed class MinerCredentialOptions
{
    public string Miner { get; set; } = "*";

    public string Profile { get; set; } = "*";

    /// <summary>The login user; empty means the profile's default (root on stock Antminer).</summary>
    public string? User { get; set; }

    /// <summary>Never logged, published or printed.</summary>
    public string? Password { get; set; }

    public override string ToString() => $"{Miner} {Profile} {User ?? "(profile's user)"} (password {(string.IsNullOrEmpty(Password) ? "not set" : "set")})";
}
