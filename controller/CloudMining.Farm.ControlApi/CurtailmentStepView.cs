namespace CloudMining.Farm.ControlApi;

/// <summary>One miner in a curtailment plan: "lower-power" (to PowerTargetW) or "sleep", whose hashrate, and why.</summary>
public sealed record CurtailmentStepView(
    string MinerId,
    string Rack,
    string Action,
    double? PowerTargetW,
    string Owner,
    double MeasuredPowerW,
    double JoulesPerTerahash,
    double SavedW,
    double LostHs,
    string Reason);
