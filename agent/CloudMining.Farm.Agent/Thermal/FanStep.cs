using CloudMining.Farm.Shared.Units;

namespace CloudMining.Farm.Agent.Thermal;

/// <summary>What one pass of the fan loop read and decided: the air, the hottest fresh chip, and the duty asked of every group (before each group's minimum).</summary>
public sealed record FanStep(RackAirReading Air, Temperature? HottestChip, double DemandPercent, string Reason);
