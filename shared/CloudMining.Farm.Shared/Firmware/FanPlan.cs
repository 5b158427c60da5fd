namespace CloudMining.Farm.Shared.Firmware;

/// <summary>The compiled recipe for reading fans.</summary>
internal sealed class FanPlan
{
    public FanStyle Style { get; init; }

    public int Command { get; init; } = -1;

    public string Section { get; init; } = string.Empty;

    public int First { get; init; }

    /// <summary>Indexed: one key per slot; rows: alternatives for the RPM key; modules: the Avalon keys, one fan each.</summary>
    public string[] Rpm { get; init; } = [];

    /// <summary>Keys style: one full path per fan.</summary>
    public FieldSource[] Sources { get; init; } = [];

    public string? Duty { get; init; }

    public string[] Index { get; init; } = [];

    public string KeyPrefix { get; init; } = string.Empty;

    public bool SkipZero { get; init; }
}
