namespace CloudMining.Farm.Shared.Firmware;

/// <summary>The compiled recipe for reading hashboards.</summary>
internal sealed class BoardPlan
{
    public BoardStyle Style { get; init; }

    public int Command { get; init; } = -1;

    public string Section { get; init; } = string.Empty;

    /// <summary>Further (command, section) places to read rows from when the first is absent ("edevs:DEVS|devs:DEVS").</summary>
    public (int Command, string Section)[] Alternatives { get; init; } = [];

    public int First { get; init; }

    public int Last { get; init; }

    /// <summary>Indexed: per slot, the keys whose non-zero value says the board is there.</summary>
    public string[][] Present { get; init; } = [];

    public string[] Index { get; init; } = [];

    public string KeyPrefix { get; init; } = string.Empty;

    public FieldSource[] Hashrate { get; init; } = [];

    public FieldSource[] ChipTemperature { get; init; } = [];

    public FieldSource[] BoardTemperature { get; init; } = [];

    public FieldSource[] Chips { get; init; } = [];

    public FieldSource[] HardwareErrors { get; init; } = [];

    public FieldSource[] Status { get; init; } = [];
}
