using System.Globalization;
using CloudMining.Farm.Simulator.Wire;

namespace CloudMining.Farm.Simulator.Mining;

/// <summary>cgminer's privileged pool commands (addpool, removepool, switchpool, enablepool, disablepool, poolpriority, poolquota) with its codes and messages.</summary>
internal static class PoolCommands
{
    private static readonly HashSet<string> Privileged =
    [
        "addpool", "removepool", "switchpool", "enablepool", "disablepool", "poolpriority", "poolquota",
        "restart", "quit", "privileged", "save", "setconfig", "failover-only",
    ];

    public static bool IsPrivileged(string command) => Privileged.Contains(command);

    public static (string Severity, int Code, string Msg) Apply(string command, string? parameter, List<MinerPool> pools, SimulatedMiner miner)
    {
        return command switch
        {
            "addpool" => AddPool(parameter, pools),
            "removepool" => WithPool(parameter, pools, (i, p) => RemovePool(i, p, pools, miner)),
            "switchpool" => WithPool(parameter, pools, (i, p) => SwitchPool(i, p, pools)),
            "enablepool" => WithPool(parameter, pools, (i, p) => EnablePool(i, p)),
            "disablepool" => WithPool(parameter, pools, (i, p) => DisablePool(i, p, pools)),
            "poolpriority" => PoolPriority(parameter, pools),
            "poolquota" => PoolQuota(parameter, pools),
            _ => ("E", CgminerCodes.InvalidCommand, "Invalid command"),
        };
    }

    private static (string, int, string) AddPool(string? parameter, List<MinerPool> pools)
    {
        if (string.IsNullOrEmpty(parameter))
        {
            return ("E", CgminerCodes.MissingAddPool, "Missing addpool details");
        }

        string[] parts = parameter.Split(',');
        if (parts.Length != 3 || parts[0].Trim().Length == 0 || parts[1].Trim().Length == 0)
        {
            return ("E", CgminerCodes.InvalidAddPool, $"Invalid addpool details '{parameter}'");
        }

        int priority = pools.Count == 0 ? 0 : pools.Max(p => p.Priority) + 1;
        pools.Add(new MinerPool(new PoolDefinition(parts[0].Trim(), parts[1].Trim(), parts[2]), priority));
        return ("S", CgminerCodes.AddPool, $"Added pool {pools.Count - 1}: '{parts[0].Trim()}'");
    }

    private static (string, int, string) WithPool(string? parameter, List<MinerPool> pools, Func<int, MinerPool, (string, int, string)> action)
    {
        if (string.IsNullOrWhiteSpace(parameter))
        {
            return ("E", CgminerCodes.MissingPoolId, "Missing pool id parameter");
        }

        if (!int.TryParse(parameter.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out int id) || id < 0 || id >= pools.Count)
        {
            int shown = int.TryParse(parameter.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) ? v : 0;
            return ("E", CgminerCodes.InvalidPoolId, $"Invalid pool id {shown} - range is 0 - {pools.Count - 1}");
        }

        return action(id, pools[id]);
    }

    private static (string, int, string) RemovePool(int id, MinerPool pool, List<MinerPool> pools, SimulatedMiner miner)
    {
        _ = miner;
        if (pools.Count == 1)
        {
            return ("E", CgminerCodes.RemoveLast, $"Cannot remove last pool {id}:'{pool.Url}'");
        }

        if (pool.Active)
        {
            return ("E", CgminerCodes.RemoveActive, $"Cannot remove active pool {id}:'{pool.Url}'");
        }

        pools.RemoveAt(id);
        Renumber(pools);
        return ("S", CgminerCodes.RemovePool, $"Removed pool {id}:'{pool.Url}'");
    }

    private static (string, int, string) SwitchPool(int id, MinerPool pool, List<MinerPool> pools)
    {
        // cgminer moves the chosen pool to the top priority and enables it.
        pool.Enabled = true;
        foreach (MinerPool p in pools)
        {
            if (p != pool && p.Priority < pool.Priority)
            {
                p.Priority++;
            }
        }

        pool.Priority = 0;
        Renumber(pools);
        return ("S", CgminerCodes.SwitchPool, $"Switching to pool {id}:'{pool.Url}'");
    }

    private static (string, int, string) EnablePool(int id, MinerPool pool)
    {
        if (pool.Enabled)
        {
            return ("I", CgminerCodes.AlreadyEnabled, $"Pool {id}:'{pool.Url}' already enabled");
        }

        pool.Enabled = true;
        return ("S", CgminerCodes.EnablePool, $"Enabling pool {id}:'{pool.Url}'");
    }

    private static (string, int, string) DisablePool(int id, MinerPool pool, List<MinerPool> pools)
    {
        if (!pool.Enabled)
        {
            return ("I", CgminerCodes.AlreadyDisabled, $"Pool {id}:'{pool.Url}' already disabled");
        }

        if (pools.Count(p => p.Enabled) == 1)
        {
            return ("E", CgminerCodes.DisableLast, $"Cannot disable last active pool {id}:'{pool.Url}'");
        }

        pool.Enabled = false;
        return ("S", CgminerCodes.DisablePool, $"Disabling pool {id}:'{pool.Url}'");
    }

    private static (string, int, string) PoolPriority(string? parameter, List<MinerPool> pools)
    {
        if (string.IsNullOrWhiteSpace(parameter))
        {
            return ("E", CgminerCodes.MissingPoolId, "Missing pool id parameter");
        }

        var order = new List<int>();
        foreach (string part in parameter.Split(','))
        {
            if (!int.TryParse(part.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out int id) || id < 0 || id >= pools.Count)
            {
                int shown = int.TryParse(part.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) ? v : 0;
                return ("E", CgminerCodes.InvalidPoolId, $"Invalid pool id {shown} - range is 0 - {pools.Count - 1}");
            }

            if (order.Contains(id))
            {
                return ("E", CgminerCodes.DuplicatePool, $"Duplicate pool specified {id}");
            }

            order.Add(id);
        }

        // Listed pools come first in the given order; the rest keep their relative order after them.
        var rest = Enumerable.Range(0, pools.Count).Where(i => !order.Contains(i)).OrderBy(i => pools[i].Priority).ToList();
        int priority = 0;
        foreach (int i in order.Concat(rest))
        {
            pools[i].Priority = priority++;
        }

        return ("S", CgminerCodes.PoolPriority, "Changed pool priorities");
    }

    private static (string, int, string) PoolQuota(string? parameter, List<MinerPool> pools)
    {
        if (string.IsNullOrWhiteSpace(parameter))
        {
            return ("E", CgminerCodes.MissingPoolId, "Missing pool id parameter");
        }

        string[] parts = parameter.Split(',');
        if (!int.TryParse(parts[0].Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out int id) || id < 0 || id >= pools.Count)
        {
            int shown = int.TryParse(parts[0].Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) ? v : 0;
            return ("E", CgminerCodes.InvalidPoolId, $"Invalid pool id {shown} - range is 0 - {pools.Count - 1}");
        }

        if (parts.Length < 2 || !int.TryParse(parts[1].Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out int quota))
        {
            return ("E", CgminerCodes.MissingQuota, "Missing config parameters 'name,N'");
        }

        if (quota < 0)
        {
            return ("E", 121, $"Invalid negative number ({quota}) for 'quota'");
        }

        pools[id].Quota = quota;
        // The stray quote after %d is in cgminer's own message template.
        return ("S", CgminerCodes.SetQuota, $"Set pool '{pools[id].Url}' to quota {quota}'");
    }

    private static void Renumber(List<MinerPool> pools)
    {
        int priority = 0;
        foreach (MinerPool p in pools.OrderBy(p => p.Priority).ToList())
        {
            p.Priority = priority++;
        }
    }
}
