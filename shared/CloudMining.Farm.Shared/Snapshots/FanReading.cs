namespace CloudMining.Farm.Shared.Snapshots;

/// <summary>One fan's speed; duty in percent where the firmware reports it.</summary>
public sealed record FanReading(int Index, int Rpm, double? DutyPercent = null);
