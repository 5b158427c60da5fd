namespace CloudMining.Farm.Shared.Firmware;

/// <summary>A compiled place to read one value: which reply (by index), section and key, with the unit factor and how to combine.</summary>
internal sealed class FieldSource
{
    /// <summary>Index into <see cref="FirmwareProfile.Commands"/>; -1 for a key inside the current board object.</summary>
    public int Command { get; init; } = -1;

    public string? Section { get; init; }

    public required string Key { get; init; }

    /// <summary>Indexed boards/fans: the key with {i} filled in, one per index, built once at load.</summary>
    public string[]? Keys { get; init; }

    /// <summary>Multiplier to the canonical unit (H/s for hashrates, 1 otherwise).</summary>
    public double Factor { get; init; } = 1;

    public FieldAggregate Aggregate { get; init; }

    /// <summary>Avalon module strings: the key inside "Key[value]".</summary>
    public string? Kv { get; init; }

    public bool PerBoard { get; init; }

    public bool MaxOfDashes { get; init; }

    /// <summary>Board fields read from another section, joined on <see cref="On"/>.</summary>
    public int FromCommand { get; init; } = -1;

    public string? FromSection { get; init; }

    public string? On { get; init; }

    /// <summary>Where the value comes from, for warnings: "stats:STATS.GHS 5s".</summary>
    public required string Description { get; init; }

    public string KeyFor(int slot) => Keys is null ? Key : Keys[slot];
}
