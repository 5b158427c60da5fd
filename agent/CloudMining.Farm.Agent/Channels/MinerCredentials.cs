using CloudMining.Farm.Agent.Configuration;
using CloudMining.Farm.Shared.Firmware;
using CloudMining.Farm.Shared.Firmware.Channels;

namespace CloudMining.Farm.Agent.Channels;

/// <summary>
/// Finds the login for a miner's write channel in Agent:MinerCredentials, the way <see cref="Pools.PoolCredentials"/>
/// finds pool passwords: an exact miner id beats a prefix ("A01-*") beats "*", and then an exact profile beats "*";
/// among equals the first entry wins. No match: null (the channel then refuses with a typed error saying what to add).
/// The passwords only ever leave this class towards a miner.
/// </summary>
public sealed class MinerCredentials
{
    private const string S = AgentOptions.SectionName + ":MinerCredentials";

    private readonly MinerCredentialOptions[] _entries;

    public MinerCredentials(IEnumerable<MinerCredentialOptions> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        _entries = entries.Where(e => e is not null).ToArray();
    }

    /// <summary>Every password configured (for redaction and for tests that look for leaks).</summary>
    public IEnumerable<string> Secrets => _entries.Select(e => e.Password).OfType<string>().Where(p => p.Length > 0);

    public MinerCredential? For(string minerId, FirmwareProfile profile)
    {
        ArgumentNullException.ThrowIfNull(minerId);
        ArgumentNullException.ThrowIfNull(profile);
        MinerCredentialOptions? best = null;
        int bestScore = -1;
        foreach (MinerCredentialOptions e in _entries)
        {
            int minerScore = MinerScore(e.Miner.Trim(), minerId);
            int profileScore = e.Profile.Trim() == "*" ? 0 : string.Equals(e.Profile.Trim(), profile.Name, StringComparison.OrdinalIgnoreCase) ? 1 : -1;
            if (minerScore < 0 || profileScore < 0 || e.Password is null)
            {
                continue;
            }

            if (minerScore + profileScore > bestScore)
            {
                best = e;
                bestScore = minerScore + profileScore;
            }
        }

        return best is null ? null : new MinerCredential(string.IsNullOrWhiteSpace(best.User) ? profile.Web.DefaultUser : best.User.Trim(), best.Password!);
    }

    /// <summary>Whether the login is still the firmware vendor's factory default (the profile says which that is).</summary>
    public static bool IsVendorDefault(MinerCredential credential, FirmwareProfile profile)
    {
        ArgumentNullException.ThrowIfNull(credential);
        ArgumentNullException.ThrowIfNull(profile);
        return profile.Web.VendorDefaultPassword is { } vendor && string.Equals(credential.Password, vendor, StringComparison.Ordinal);
    }

    /// <summary>Problems in Agent:MinerCredentials, one sentence each naming the key (never the value).</summary>
    public static List<string> Check(AgentOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        for (int i = 0; i < options.MinerCredentials.Count; i++)
        {
            MinerCredentialOptions e = options.MinerCredentials[i];
            string key = $"{S}:{i}";
            if (e is null)
            {
                errors.Add($"{key}: is empty; write {{ \"Miner\": \"A01-01\", \"Password\": \"...\" }} or remove the entry.");
                continue;
            }

            if (string.IsNullOrWhiteSpace(e.Miner))
            {
                errors.Add($"{key}:Miner: is empty; write a miner id, a prefix ending in \"*\" such as \"A01-*\", or \"*\".");
            }
            else if (e.Miner.Trim() != "*" && !e.Miner.Trim().EndsWith('*') && !options.Miners.Any(m => string.Equals(m.Id, e.Miner.Trim(), StringComparison.OrdinalIgnoreCase)))
            {
                errors.Add($"{key}:Miner: '{e.Miner.Trim()}' is not a miner of this rack; use an id from Agent:Miners, a prefix ending in \"*\", or \"*\".");
            }

            if (string.IsNullOrWhiteSpace(e.Profile))
            {
                errors.Add($"{key}:Profile: is empty; write a firmware profile name (e.g. antminer) or \"*\".");
            }

            // "" is a password: Braiins OS+ ships root with an empty one (farm-agent check warns while a miner keeps it).
            if (e.Password is null)
            {
                errors.Add($"{key}:Password: is missing; write the miner's web/admin password (FARM_AGENT_Agent__MinerCredentials__{i}__Password keeps it out of the file).");
            }
        }

        return errors;
    }

    private static int MinerScore(string pattern, string minerId)
    {
        if (pattern == "*")
        {
            return 0;
        }

        if (pattern.EndsWith('*'))
        {
            return minerId.StartsWith(pattern[..^1], StringComparison.OrdinalIgnoreCase) ? 2 : -1;
        }

        return string.Equals(pattern, minerId, StringComparison.OrdinalIgnoreCase) ? 4 : -1;
    }
}
