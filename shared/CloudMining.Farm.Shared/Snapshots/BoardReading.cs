using CloudMining.Farm.Shared.Units;

namespace CloudMining.Farm.Shared.Snapshots;

/// <summary>One hashboard (chain) as the firmware reports it.</summary>
public sealed record BoardReading
{
    public required int Index { get; init; }

    public Hashrate? Hashrate { get; init; }

    /// <summary>Hottest chip temperature the firmware reports for the board.</summary>
    public Temperature? ChipTemperature { get; init; }

    /// <summary>Board (PCB) temperature.</summary>
    public Temperature? BoardTemperature { get; init; }

    public int? Chips { get; init; }

    public long? HardwareErrors { get; init; }

    public string? Status { get; init; }
}
