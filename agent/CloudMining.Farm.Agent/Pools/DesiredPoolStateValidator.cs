using CloudMining.Farm.Agent.Configuration;
using CloudMining.Farm.Shared.Wire;
using CloudMining.Farm.Shared.Firmware;

namespace CloudMining.Farm.Agent.Pools;

/// <summary>
/// Checks a desired pool state completely before anything is stored or sent to a miner, in two levels. As a whole: it
/// must be for this rack, not older than the one held, and list its miners. Per entry: the miner must be configured
/// here and listed once, every pool must pass the shared URL and worker rules with sane priorities and quotas (quotas
/// only where the miner's firmware profile can set them), and the firmware must be able to change pools at all. A
/// state with a whole-level problem is refused; otherwise the entries that pass are applied and the others rejected,
/// each with one reason. Every problem is one sentence naming the miner and the field; what it echoes of the input is
/// bounded (<see cref="BoundedText"/>), so a megabyte pool URL cannot become a megabyte log line or event.
/// </summary>
public static class DesiredPoolStateValidator
{
    /// <summary>Most pools one miner may be given; firmwares keep a handful, and each costs commands to set.</summary>
    public const int MaxPoolsPerMiner = 16;

    /// <summary>Largest pool quota (share weight) accepted; the controller sends thousandths.</summary>
    public const int MaxQuota = 1_000_000;

    /// <summary>At most this many problems of one entry are spelled out in its reason.</summary>
    private const int MaxProblemsPerEntry = 3;

    /// <summary>Validates <paramref name="desired"/> as a whole and entry by entry.</summary>
    /// <param name="desired">The parsed payload.</param>
    /// <param name="options">The agent's site, rack and miners.</param>
    /// <param name="storedGeneration">The generation already held, if any; an older one is refused.</param>
    /// <param name="profileOf">The firmware profile of a configured miner, or null while it is not known yet ("auto" before the first poll).</param>
    public static DesiredPoolStateValidation Validate(DesiredPoolStatePayload desired, AgentOptions options, long? storedGeneration, Func<string, FirmwareProfile?> profileOf)
    {
        ArgumentNullException.ThrowIfNull(desired);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(profileOf);
        var problems = new List<string>();
        if (!string.Equals(desired.Site, options.Site, StringComparison.Ordinal) || !string.Equals(desired.Rack, options.RackId, StringComparison.Ordinal))
        {
            problems.Add($"site/rack: the state is for {Echo(desired.Site)}/{Echo(desired.Rack)}, but this agent runs {options.Site}/{options.RackId}.");
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
        }

        if (problems.Count > 0)
        {
            return new DesiredPoolStateValidation(problems, [], []);
        }

        var configured = options.Miners.Where(m => m is not null).ToDictionary(m => m.Id, StringComparer.OrdinalIgnoreCase);
        Dictionary<string, List<int>> entriesOf = desired.Miners!
            .Select((m, i) => (m, i))
            .Where(x => x.m?.MinerId is not null)
            .GroupBy(x => x.m.MinerId, StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => g.Select(x => x.i).ToList(), StringComparer.OrdinalIgnoreCase);
        var accepted = new List<MinerPoolAssignment>();
        var rejected = new List<RejectedMinerEntry>();
        for (int i = 0; i < desired.Miners!.Count; i++)
        {
            MinerPoolAssignment? miner = desired.Miners[i];
            if (miner is null)
            {
                rejected.Add(new RejectedMinerEntry(i, null, $"miners[{i}]: is null."));
                continue;
            }

            // Only an id that could be a miner's is named in the report; anything else is shown bounded in the reason.
            string? usableId = FarmTopics.IdProblem(miner.MinerId) is null && !miner.MinerId.Any(char.IsControl) ? miner.MinerId : null;
            string where = $"miners[{i}] ({Echo(miner.MinerId, FarmTopics.MaxIdLength)})";
            if (string.IsNullOrEmpty(miner.MinerId) || !configured.TryGetValue(miner.MinerId, out MinerOptions? known))
            {
                string known20 = string.Join(", ", configured.Keys.Take(20)) + (configured.Count > 20 ? ", …" : string.Empty);
                rejected.Add(new RejectedMinerEntry(i, usableId, $"miners[{i}].minerId: '{Echo(miner.MinerId, FarmTopics.MaxIdLength)}' is not a miner of rack {options.RackId}; known: {known20}."));
                continue;
            }

            List<int> entries = entriesOf[miner.MinerId];
            if (entries.Count > 1)
            {
                // Which of two entries was meant cannot be guessed: the miner keeps its pools and is reported once.
                if (entries[0] == i)
                {
                    rejected.Add(new RejectedMinerEntry(i, usableId, $"{where}.minerId: listed {entries.Count} times (miners[{string.Join("], miners[", entries.Take(5))}]{(entries.Count > 5 ? ", …" : string.Empty)}); give each miner one entry."));
                }

                continue;
            }

            var entryProblems = new List<string>();
            if (miner.ContractId is not null && FarmTopics.IdProblem(miner.ContractId) is { } idProblem)
            {
                entryProblems.Add($"{where}.contractId: '{Echo(miner.ContractId, FarmTopics.MaxIdLength)}' {idProblem}.");
            }

            CheckPools(miner, where, profileOf(known.Id), entryProblems);
            if (entryProblems.Count == 0)
            {
                accepted.Add(miner);
            }
            else
            {
                string reason = string.Join(" ", entryProblems.Take(MaxProblemsPerEntry)) + (entryProblems.Count > MaxProblemsPerEntry ? $" (and {entryProblems.Count - MaxProblemsPerEntry} more)" : string.Empty);
                rejected.Add(new RejectedMinerEntry(i, usableId, reason));
            }
        }

        return new DesiredPoolStateValidation([], accepted, rejected);
    }

    private static string Echo(string? text, int max = BoundedText.DefaultMaxChars) => BoundedText.Echo(text, max);

    private static void CheckPools(MinerPoolAssignment miner, string where, FirmwareProfile? profile, List<string> problems)
    {
        if (miner.Pools is null || miner.Pools.Count == 0)
        {
            problems.Add($"{where}.pools: is empty; a miner needs at least one pool.");
            return;
        }

        if (miner.Pools.Count > MaxPoolsPerMiner)
        {
            problems.Add($"{where}.pools: lists {miner.Pools.Count} pools; at most {MaxPoolsPerMiner} are allowed per miner.");
            return;
        }

        if (profile is not null && !profile.CanSetPools)
        {
            problems.Add($"{where}: the miner's firmware profile '{profile.Name}' has no channel that changes pools, so this agent cannot change its pools; leave the miner out of the desired state or set its pools by hand.");
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
                else if (quota > MaxQuota)
                {
                    problems.Add($"{at}.quota: {quota} is above {MaxQuota}; give share weights such as thousandths.");
                }
                else if (profile is not null && !profile.CanSetQuota)
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
