namespace CloudMining.Farm.Shared.Firmware;

/// <summary>The compiled recipe for reading pools: the section and the field names (cgminer's unless the profile renames them).</summary>
internal sealed class PoolPlan
{
    public static readonly IReadOnlyDictionary<string, string> DefaultFields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["index"] = "POOL",
        ["url"] = "URL",
        ["user"] = "User",
        ["status"] = "Status",
        ["priority"] = "Priority",
        ["quota"] = "Quota",
        ["active"] = "Stratum Active",
        ["accepted"] = "Accepted",
        ["rejected"] = "Rejected",
        ["stale"] = "Stale",
        ["difficultyAccepted"] = "Difficulty Accepted",
        ["difficultyRejected"] = "Difficulty Rejected",
        ["difficultyStale"] = "Difficulty Stale",
        ["lastShareTime"] = "Last Share Time",
    };

    public int Command { get; init; } = -1;

    public string Section { get; init; } = "POOLS";

    public required IReadOnlyDictionary<string, string> Fields { get; init; }

    public string Index => Fields["index"];

    public string Url => Fields["url"];

    public string User => Fields["user"];

    public string Status => Fields["status"];

    public string Priority => Fields["priority"];

    public string Quota => Fields["quota"];

    public string Active => Fields["active"];

    public string Accepted => Fields["accepted"];

    public string Rejected => Fields["rejected"];

    public string Stale => Fields["stale"];

    public string DifficultyAccepted => Fields["difficultyAccepted"];

    public string DifficultyRejected => Fields["difficultyRejected"];

    public string DifficultyStale => Fields["difficultyStale"];

    public string LastShareTime => Fields["lastShareTime"];
}
