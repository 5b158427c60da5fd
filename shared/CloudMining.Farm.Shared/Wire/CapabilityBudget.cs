using System.Text.Json;

namespace CloudMining.Farm.Shared.Wire;

/// <summary>
/// Keeps the <c>capabilities[]</c> of an agent status within <see cref="MaxBytes"/>: each why/fix is already cut to
/// <see cref="MinerCapabilities.MaxTextChars"/>; past the budget the texts are left out (the reason codes stay), and
/// past it again the last miners are left out — a miner missing from the list is simply not sold, which is safe.
/// </summary>
public static class CapabilityBudget
{
    /// <summary>256 KiB: a 400-miner rack with every operation unavailable and long texts fits after the texts are dropped.</summary>
    public const int MaxBytes = 256 * 1024;

    public static IReadOnlyList<MinerCapabilities> Fit(IReadOnlyList<MinerCapabilities> capabilities, int maxBytes = MaxBytes)
    {
        ArgumentNullException.ThrowIfNull(capabilities);
        if (Size(capabilities) <= maxBytes)
        {
            return capabilities;
        }

        List<MinerCapabilities> bare = [.. capabilities.Select(c => c with { Operations = [.. c.Operations.Select(o => o with { Why = null, Fix = null })] })];
        var kept = new List<MinerCapabilities>(bare.Count);
        long total = 2;
        foreach (MinerCapabilities c in bare)
        {
            long size = JsonSerializer.SerializeToUtf8Bytes(c, FarmJsonContext.Default.MinerCapabilities).Length + 1;
            if (total + size > maxBytes)
            {
                break;
            }

            kept.Add(c);
            total += size;
        }

        return kept;
    }

    private static long Size(IReadOnlyList<MinerCapabilities> capabilities) =>
        2 + capabilities.Sum(c => (long)JsonSerializer.SerializeToUtf8Bytes(c, FarmJsonContext.Default.MinerCapabilities).Length + 1);
}
