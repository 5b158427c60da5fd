namespace CloudMining.Farm.Shared.Wire;

/// <summary>One hashboard in a telemetry payload; hashrate in H/s, temperatures in °C.</summary>
public sealed record TelemetryBoard
{
    public required int Index { get; init; }

    public double? HashrateHs { get; init; }

    public double? ChipTempC { get; init; }

    public double? BoardTempC { get; init; }

    public int? Chips { get; init; }

    public long? HardwareErrors { get; init; }

    public string? Status { get; init; }
}
