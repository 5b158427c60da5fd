using System.Globalization;
using CloudMining.Farm.Shared.Wire;
using CloudMining.Farm.Shared.Firmware;
using CloudMining.Farm.Shared.Snapshots;

namespace CloudMining.Farm.Agent.Pools;

/// <summary>
/// Computes the smallest list of firmware-profile actions that turns a miner's current pools into the desired ones:
/// add the missing pools, enable disabled ones, set quotas, bring the desired pools to the top in order (one
/// poolpriority where the profile has setPriority, else as few switchpool as possible), then remove the extra pools
/// (highest index first, so the indexes still to be used do not move), or disable them where removal is impossible.
/// It follows cgminer's index rules as it goes: addpool appends, removepool renumbers the pools after it.
/// </summary>
public static class PoolPlanner
{
    public static PoolChangePlan Plan(IReadOnlyList<PoolTarget> desired, IReadOnlyList<PoolReading> current, FirmwareProfile profile, Func<string, string, string> passwordFor)
    {
        ArgumentNullException.ThrowIfNull(desired);
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(profile);
        ArgumentNullException.ThrowIfNull(passwordFor);
        IReadOnlyList<PoolTarget> wanted = PoolComparison.InOrder(desired);
        List<Slot> pools = [.. current.OrderBy(p => p.Index).Select(p => new Slot(p.Url, p.User ?? string.Empty, PoolComparison.IsEnabled(p), PoolComparison.OrderKey(p), p.Quota))];
        var steps = new List<PoolStep>();

        foreach (PoolTarget d in wanted)
        {
            if (Find(pools, d) >= 0)
            {
                continue;
            }

            if (!profile.Supports(ProfileAction.AddPool))
            {
                return Impossible(profile, "add pools", d);
            }

            steps.Add(new PoolStep(ProfileAction.AddPool, new Dictionary<string, string> { ["url"] = d.Url, ["user"] = d.User, ["password"] = passwordFor(d.Url, d.User) }, $"add {d.Url} ({d.User})"));
            pools.Add(new Slot(d.Url, d.User, true, pools.Count == 0 ? 0 : pools.Max(p => p.Order) + 1, null));
        }

        foreach (PoolTarget d in wanted)
        {
            int i = Find(pools, d);
            if (!pools[i].Enabled)
            {
                if (!profile.Supports(ProfileAction.EnablePool))
                {
                    return Impossible(profile, "enable pools", d);
                }

                steps.Add(new PoolStep(ProfileAction.EnablePool, Index(i), $"enable {d.Url} ({d.User})"));
                pools[i] = pools[i] with { Enabled = true };
            }

            if (d.Quota is { } quota && pools[i].Quota != quota)
            {
                if (!profile.Supports(ProfileAction.SetQuota))
                {
                    return Impossible(profile, "set pool quotas", d);
                }

                steps.Add(new PoolStep(ProfileAction.SetQuota, new Dictionary<string, string> { ["index"] = Text(i), ["quota"] = Text(quota) }, $"quota {quota} for {d.Url} ({d.User})"));
                pools[i] = pools[i] with { Quota = quota };
            }
        }

        if (!Reorder(wanted, pools, profile, steps, out string? orderProblem))
        {
            return new PoolChangePlan([], orderProblem);
        }

        for (int i = pools.Count - 1; i >= 0; i--)
        {
            if (wanted.Any(d => PoolComparison.SamePool(pools[i].Url, pools[i].User, d.Url, d.User)))
            {
                continue;
            }

            string what = $"{BoundedText.Echo(TelemetryPool.SanitizeUrl(pools[i].Url))} ({BoundedText.Echo(pools[i].User)})";
            if (profile.Supports(ProfileAction.RemovePool))
            {
                steps.Add(new PoolStep(ProfileAction.RemovePool, Index(i), $"remove {what}", DisableIfRefused: pools[i].Enabled && profile.Supports(ProfileAction.DisablePool)));
                pools.RemoveAt(i);
            }
            else if (pools[i].Enabled)
            {
                if (!profile.Supports(ProfileAction.DisablePool))
                {
                    return new PoolChangePlan([], $"the firmware profile '{profile.Name}' can neither remove nor disable pools, so {what} would stay in use");
                }

                steps.Add(new PoolStep(ProfileAction.DisablePool, Index(i), $"disable {what}"));
                pools[i] = pools[i] with { Enabled = false };
            }
        }

        return new PoolChangePlan(steps, null);
    }

    /// <summary>Desired pools must come first, in order, before every other pool that stays enabled.</summary>
    private static bool Reorder(IReadOnlyList<PoolTarget> wanted, List<Slot> pools, FirmwareProfile profile, List<PoolStep> steps, out string? problem)
    {
        problem = null;
        if (TopInOrder(wanted, pools, switched: 0))
        {
            return true;
        }

        int[] indexes = [.. wanted.Select(d => Find(pools, d))];
        if (profile.Supports(ProfileAction.SetPriority))
        {
            steps.Add(new PoolStep(ProfileAction.SetPriority, new Dictionary<string, string> { ["indexes"] = string.Join(',', indexes.Select(Text)) }, $"priority order {string.Join(", ", wanted.Select(d => d.Url))}"));
            ApplyPriority(pools, indexes);
            return true;
        }

        if (profile.Supports(ProfileAction.SwitchPool))
        {
            // switchpool moves one pool to the top; switching d[m-1] .. d[0] puts them first in order. Find the
            // smallest m for which the pools left behind already follow in the desired order: every switch costs shares.
            int m = 1;
            while (m < wanted.Count && !TopInOrder(wanted, pools, m))
            {
                m++;
            }

            for (int j = m - 1; j >= 0; j--)
            {
                steps.Add(new PoolStep(ProfileAction.SwitchPool, Index(indexes[j]), $"switch to {wanted[j].Url} ({wanted[j].User})"));
                ToTop(pools, indexes[j]);
            }

            return true;
        }

        problem = $"the firmware profile '{profile.Name}' can neither set pool priorities nor switch pools, so {wanted[0].Url} ({wanted[0].User}) cannot be made first";
        return false;
    }

    /// <summary>Whether, after switching the first <paramref name="switched"/> desired pools to the top, the rest already follow in order.</summary>
    private static bool TopInOrder(IReadOnlyList<PoolTarget> wanted, List<Slot> pools, int switched)
    {
        // Pools already disabled and not desired do not compete for work; every other pool does.
        var order = pools.Select((p, i) => (p, i))
            .Where(x => x.p.Enabled || wanted.Any(d => PoolComparison.SamePool(x.p.Url, x.p.User, d.Url, d.User)))
            .Where(x => !wanted.Take(switched).Any(d => PoolComparison.SamePool(x.p.Url, x.p.User, d.Url, d.User)))
            .OrderBy(x => x.p.Order).ThenBy(x => x.i)
            .Select(x => x.p)
            .ToList();
        for (int k = switched; k < wanted.Count; k++)
        {
            Slot at = order[k - switched];
            if (!PoolComparison.SamePool(at.Url, at.User, wanted[k].Url, wanted[k].User))
            {
                return false;
            }
        }

        return true;
    }

    private static void ApplyPriority(List<Slot> pools, int[] listed)
    {
        var rest = Enumerable.Range(0, pools.Count).Where(i => !listed.Contains(i)).OrderBy(i => pools[i].Order).ToList();
        int order = 0;
        foreach (int i in listed.Concat(rest))
        {
            pools[i] = pools[i] with { Order = order++ };
        }
    }

    private static void ToTop(List<Slot> pools, int index)
    {
        int old = pools[index].Order;
        for (int i = 0; i < pools.Count; i++)
        {
            if (i != index && pools[i].Order < old)
            {
                pools[i] = pools[i] with { Order = pools[i].Order + 1 };
            }
        }

        pools[index] = pools[index] with { Order = 0, Enabled = true };
    }

    private static int Find(List<Slot> pools, PoolTarget d) => pools.FindIndex(p => PoolComparison.SamePool(p.Url, p.User, d.Url, d.User));

    private static Dictionary<string, string> Index(int i) => new() { ["index"] = Text(i) };

    private static string Text(int n) => n.ToString(CultureInfo.InvariantCulture);

    private static PoolChangePlan Impossible(FirmwareProfile profile, string what, PoolTarget pool) =>
        new([], $"the firmware profile '{profile.Name}' cannot {what}, which {pool.Url} ({pool.User}) needs");

    /// <summary>A pool as the plan goes: its place in the list is its index.</summary>
    private sealed record Slot(string Url, string User, bool Enabled, int Order, int? Quota);
}
