using CloudMining.Farm.Shared.Wire;
using CloudMining.Farm.Shared.Snapshots;

namespace CloudMining.Farm.Agent.Pools;

/// <summary>
/// Whether a miner's pools (as read from it) are the desired ones: the enabled pools, in priority order, are exactly
/// the desired pools in the desired order (URL case-insensitive, worker exact), with the desired quota where one is
/// asked and the firmware reports it. Extra pools may remain only disabled.
/// </summary>
public static class PoolComparison
{
    /// <summary>The desired pools in the order they should be used (lowest priority number first).</summary>
    public static IReadOnlyList<PoolTarget> InOrder(IEnumerable<PoolTarget> desired) => [.. desired.OrderBy(p => p.Priority)];

    public static bool SamePool(string urlA, string? userA, string urlB, string? userB) =>
        string.Equals(urlA.Trim(), urlB.Trim(), StringComparison.OrdinalIgnoreCase) && string.Equals(userA?.Trim(), userB?.Trim(), StringComparison.Ordinal);

    public static bool IsEnabled(PoolReading pool) => !string.Equals(pool.Status, "Disabled", StringComparison.OrdinalIgnoreCase);

    /// <summary>The order the firmware uses the pools in: its priority, else its list position.</summary>
    public static int OrderKey(PoolReading pool) => pool.Priority ?? pool.Index;

    /// <summary>Null when <paramref name="current"/> matches <paramref name="desired"/>; otherwise the first difference, in words.</summary>
    public static string? Difference(IReadOnlyList<PoolTarget> desired, IReadOnlyList<PoolReading> current)
    {
        ArgumentNullException.ThrowIfNull(desired);
        ArgumentNullException.ThrowIfNull(current);
        IReadOnlyList<PoolTarget> wanted = InOrder(desired);
        var enabled = current.Where(IsEnabled).OrderBy(OrderKey).ThenBy(p => p.Index).ToList();
        foreach (PoolTarget d in wanted)
        {
            PoolReading? found = current.FirstOrDefault(p => SamePool(p.Url, p.User, d.Url, d.User));
            if (found is null)
            {
                return $"{d.Url} ({d.User}) is missing";
            }

            if (!IsEnabled(found))
            {
                return $"{d.Url} ({d.User}) is disabled";
            }

            if (d.Quota is { } quota && found.Quota is { } actual && actual != quota)
            {
                return $"{d.Url} ({d.User}) has quota {actual}, not {quota}";
            }
        }

        if (enabled.FirstOrDefault(p => !wanted.Any(d => SamePool(p.Url, p.User, d.Url, d.User))) is { } extra)
        {
            return $"{Shown(extra)} is enabled but not desired";
        }

        for (int i = 0; i < wanted.Count; i++)
        {
            if (!SamePool(enabled[i].Url, enabled[i].User, wanted[i].Url, wanted[i].User))
            {
                return $"pool {i + 1} in priority is {Shown(enabled[i])}, not {wanted[i].Url} ({wanted[i].User})";
            }
        }

        return null;
    }

    /// <summary>A pool as a miner reported it, for a message: without credentials and bounded (firmwares report what they were given).</summary>
    public static string Shown(PoolReading pool)
    {
        ArgumentNullException.ThrowIfNull(pool);
        return $"{BoundedText.Echo(TelemetryPool.SanitizeUrl(pool.Url))} ({BoundedText.Echo(pool.User)})";
    }
}
