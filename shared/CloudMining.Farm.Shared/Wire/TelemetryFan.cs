namespace CloudMining.Farm.Shared.Wire;

/// <summary>One fan in a telemetry payload.</summary>
public sealed record TelemetryFan(int Index, int Rpm, double? DutyPercent);
