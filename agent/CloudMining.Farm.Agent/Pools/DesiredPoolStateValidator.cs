using CloudMining.Farm.Agent.Configuration;
using CloudMining.Farm.Shared.Contract;
using CloudMining.Farm.Shared.Firmware;

namespace CloudMining.Farm.Agent.Pools;

/// <summary>
/// Checks a desired pool state completely before anything is stored or sent to a miner: that it is for this rack,
/// not older than the one held, that every miner is configured here, and that every pool passes the shared URL and
/// worker rules with sane priorities and quotas (quotas only where the miner's firmware profile can set them).
/// Each problem is one sentence that names the miner and the field.
/// </summary>
public static class DesiredPoolStateValidator
{
    /// <summary>Reasons to reject <paramref name="desired"/>, empty when it may be applied.</summary>
    /// <param name="desired">The parsed payload.</param>
    /// <param name="options">The agent's site, rack and miners.</param>
    /// <param name="storedGeneration">The generation already held, if any; an older one is refused.</param>
    /// <param name="profileOf">The firmware profile of a configured miner, or null while it is not known yet ("auto" before the first poll).</param>
    public static IReadOnlyList<string> Check(DesiredPoolStatePayload desired, AgentOptions options, long? storedGeneration, Func<string, FirmwareProfile?> profileOf)
    {
        ArgumentNullException.ThrowIfNull(desired);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(profileOf);
        var problems = new List<string>();
        if (!string.Equals(desired.Site, options.Site, StringComparison.Ordinal) || !string.Equals(desired.Rack, options.RackId, StringComparison.Ordinal))
        {
            problems.Add($"site/rack: the state is for {desired.Site}/{desired.Rack}, but this agent runs {options.Site}/{options.RackId}.");
        }

        if (desired.Generation < 0)
        {
            problems.Add($"generation: {desired.Generation} is negative.");
        }
        else if (storedGeneration is { } stored && desired.Generation < stored)
        {
            problems.Add($"generation: {desired.Generation} is older than generation {stored} already held; the controller must send a higher generation.");
        }

        if (desired.Miners is null)
        {
            problems.Add("miners: is missing.");
            return problems;
        }

        var configured = options.Miners.Where(m => m is not null).ToDictionary(m => m.Id, StringComparer.OrdinalIgnoreCase);
        var seen = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (int i = 0; i < desired.Miners.Count; i++)
        {
            MinerPoolAssignment? miner = desired.Miners[i];
            if (miner is null)
            {
                problems.Add($"miners[{i}]: is null.");
                continue;
            }

            string where = $"miners[{i}] ({miner.MinerId})";
            if (string.IsNullOrEmpty(miner.MinerId) || !configured.TryGetValue(miner.MinerId, out MinerOptions? known))
            {
                problems.Add($"miners[{i}].minerId: '{miner.MinerId}' is not a miner of rack {options.RackId}; known: {string.Join(", ", configured.Keys.Take(20))}{(configured.Count > 20 ? ", …" : string.Empty)}.");
                continue;
            }

            if (seen.TryGetValue(miner.MinerId, out int first))
            {
                problems.Add($"{where}.minerId: listed twice (also miners[{first}]); give each miner one entry.");
                continue;
            }

            seen[miner.MinerId] = i;
            if (miner.ContractId is not null && FarmTopics.IdProblem(miner.ContractId) is { } idProblem)
            {
                problems.Add($"{where}.contractId: '{miner.ContractId}' {idProblem}.");
            }

            CheckPools(miner, where, profileOf(known.Id), problems);
        }

        return problems;
    }

    private static void CheckPools(MinerPoolAssignment miner, string where, FirmwareProfile? profile, List<string> problems)
    {
        if (miner.Pools is null || miner.Pools.Count == 0)
        {
            problems.Add($"{where}.pools: is empty; a miner needs at least one pool.");
            return;
        }

        var priorities = new Dictionary<int, int>();
        var pools = new Dictionary<(string, string), int>();
        for (int p = 0; p < miner.Pools.Count; p++)
        {
            PoolTarget? pool = miner.Pools[p];
            string at = $"{where}.pools[{p}]";
            if (pool is null)
            {
                problems.Add($"{at}: is null.");
                continue;
            }

            if (PoolEndpointRules.UrlProblem(pool.Url, out _) is { } urlProblem)
            {
                problems.Add($"{at}.url: {urlProblem}");
            }

            if (PoolEndpointRules.WorkerProblem(pool.User) is { } workerProblem)
            {
                problems.Add($"{at}.user: {workerProblem}");
            }

            if (pool.Priority < 0)
            {
                problems.Add($"{at}.priority: {pool.Priority} is negative; 0 is the first pool.");
            }
            else if (priorities.TryGetValue(pool.Priority, out int other))
            {
                problems.Add($"{at}.priority: {pool.Priority} is also the priority of pools[{other}]; each pool of a miner needs its own.");
            }
            else
            {
                priorities[pool.Priority] = p;
            }

            if (pool.Quota is { } quota)
            {
                if (quota < 1)
                {
                    problems.Add($"{at}.quota: {quota} is below 1; leave it out for failover or give a share weight of at least 1.");
                }
                else if (profile is not null && !profile.Supports(ProfileAction.SetQuota))
                {
                    problems.Add($"{at}.quota: the miner's firmware profile '{profile.Name}' cannot set pool quotas; leave quota out for this miner.");
                }
            }

            if (pool.Url is not null && pool.User is not null)
            {
                var key = (pool.Url.ToLowerInvariant(), pool.User);
                if (pools.TryGetValue(key, out int dup))
                {
                    problems.Add($"{at}: the same pool and worker as pools[{dup}]; list each pool once.");
                }
                else
                {
                    pools[key] = p;
                }
            }
        }
    }
}
