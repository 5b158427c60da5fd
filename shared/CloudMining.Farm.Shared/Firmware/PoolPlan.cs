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

    /// <summary>The field names, cgminer's unless the profile renamed them; resolved once here, not per pool row.</summary>
    public required IReadOnlyDictionary<string, string> Fields
    {
        get => _fields;
        init
        {
            _fields = value;
            IndexKeys = [value["index"]];
            Url = value["url"];
            User = value["user"];
            Status = value["status"];
            Priority = value["priority"];
            Quota = value["quota"];
            Active = value["active"];
            Accepted = value["accepted"];
            Rejected = value["rejected"];
            Stale = value["stale"];
            DifficultyAccepted = value["difficultyAccepted"];
            DifficultyRejected = value["difficultyRejected"];
            DifficultyStale = value["difficultyStale"];
            LastShareTime = value["lastShareTime"];
        }
    }

    public string[] IndexKeys { get; private init; } = [];

    public string Url { get; private init; } = string.Empty;

    public string User { get; private init; } = string.Empty;

    public string Status { get; private init; } = string.Empty;

    public string Priority { get; private init; } = string.Empty;

    public string Quota { get; private init; } = string.Empty;

    public string Active { get; private init; } = string.Empty;

    public string Accepted { get; private init; } = string.Empty;

    public string Rejected { get; private init; } = string.Empty;

    public string Stale { get; private init; } = string.Empty;

    public string DifficultyAccepted { get; private init; } = string.Empty;

    public string DifficultyRejected { get; private init; } = string.Empty;

    public string DifficultyStale { get; private init; } = string.Empty;

    public string LastShareTime { get; private init; } = string.Empty;

    private readonly IReadOnlyDictionary<string, string> _fields = DefaultFields;
}
