using System.Text.RegularExpressions;

namespace CloudMining.Farm.Shared.Wire;

/// <summary>One pool in a telemetry payload. There is deliberately no password field, and URLs lose any user:password@.</summary>
public sealed partial record TelemetryPool
{
    public required int Index { get; init; }

    public required string Url { get; init; }

    /// <summary>Worker name (account.worker); a name, not a secret.</summary>
    public string? User { get; init; }

    public string? Status { get; init; }

    public int? Priority { get; init; }

    public bool? Active { get; init; }

    public long Accepted { get; init; }

    public long Rejected { get; init; }

    public long Stale { get; init; }

    /// <summary>Sum of the difficulty of accepted shares since the miner started: the measure of work delivered to this pool.</summary>
    public double? DifficultyAccepted { get; init; }

    public double? DifficultyRejected { get; init; }

    public double? DifficultyStale { get; init; }

    /// <summary>Load-balance quota where the firmware reports one.</summary>
    public int? Quota { get; init; }

    /// <summary>Removes credentials embedded in a pool URL (stratum+tcp://user:secret@host:port).</summary>
    public static string SanitizeUrl(string url)
    {
        ArgumentNullException.ThrowIfNull(url);
        return UserInfo().Replace(url, "://");
    }

    [GeneratedRegex("://[^/@]*@")]
    private static partial Regex UserInfo();
}
