using CloudMining.Farm.Agent.Configuration;

namespace CloudMining.Farm.Agent.Pools;

/// <summary>
/// Finds the password for a pool URL and worker in Agent:PoolCredentials: an exact URL beats "*", an exact worker
/// beats a prefix ("acct.*") beats "*"; among equals the first entry wins. Without a match the password is "x",
/// what pools that authenticate by worker name expect. The passwords only ever leave this class towards a miner.
/// </summary>
public sealed class PoolCredentials
{
    public const string DefaultPassword = "x";

    private const string S = AgentOptions.SectionName + ":PoolCredentials";

    private readonly PoolCredentialOptions[] _entries;

    public PoolCredentials(IEnumerable<PoolCredentialOptions> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        _entries = entries.Where(e => e is not null).ToArray();
    }

    /// <summary>Every password configured (so tests and redaction can look for them).</summary>
    public IEnumerable<string> Secrets => _entries.Select(e => e.Password).OfType<string>().Where(p => p.Length > 0);

    public string PasswordFor(string url, string user)
    {
        ArgumentNullException.ThrowIfNull(url);
        ArgumentNullException.ThrowIfNull(user);
        PoolCredentialOptions? best = null;
        int bestScore = -1;
        foreach (PoolCredentialOptions e in _entries)
        {
            int urlScore = e.Url.Trim() == "*" ? 0 : string.Equals(e.Url.Trim(), url, StringComparison.OrdinalIgnoreCase) ? 4 : -1;
            int userScore = UserScore(e.User.Trim(), user);
            if (urlScore < 0 || userScore < 0)
            {
                continue;
            }

            if (urlScore + userScore > bestScore)
            {
                best = e;
                bestScore = urlScore + userScore;
            }
        }

        return best?.Password is { Length: > 0 } password ? password : DefaultPassword;
    }

    /// <summary>Problems in Agent:PoolCredentials, one sentence each naming the key.</summary>
    public static List<string> Check(AgentOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        for (int i = 0; i < options.PoolCredentials.Count; i++)
        {
            PoolCredentialOptions e = options.PoolCredentials[i];
            string key = $"{S}:{i}";
            if (e is null)
            {
                errors.Add($"{key}: is empty; write {{ \"Url\": \"stratum+tcp://pool.example.com:3333\", \"User\": \"acct.*\", \"Password\": \"...\" }} or remove the entry.");
                continue;
            }

            if (string.IsNullOrWhiteSpace(e.Url))
            {
                errors.Add($"{key}:Url: is empty; write the pool URL exactly as the controller sends it, or \"*\" for every pool.");
            }
            else if (e.Url.Trim() != "*" && Shared.Wire.PoolEndpointRules.UrlProblem(e.Url.Trim(), out _) is { } problem)
            {
                errors.Add($"{key}:Url: {problem}");
            }

            if (string.IsNullOrWhiteSpace(e.User))
            {
                errors.Add($"{key}:User: is empty; write the worker name, a prefix ending in \"*\" such as \"acct.*\", or \"*\".");
            }

            if (e.Password is null)
            {
                // The value itself is never echoed: only that it is missing.
                errors.Add($"{key}:Password: is missing; write the pool password (or leave the entry out to use \"{DefaultPassword}\").");
            }
        }

        return errors;
    }

    private static int UserScore(string pattern, string user)
    {
        if (pattern == "*")
        {
            return 0;
        }

        if (pattern.EndsWith('*'))
        {
            return user.StartsWith(pattern[..^1], StringComparison.Ordinal) ? 1 : -1;
        }

        return string.Equals(pattern, user, StringComparison.Ordinal) ? 2 : -1;
    }
}
