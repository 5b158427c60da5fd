namespace CloudMining.Farm.ControlApi;

/// <summary>One wave of a staggered restore: when, which miners, about how much power returns.</summary>
public sealed record CurtailmentRestoreView(DateTimeOffset At, IReadOnlyList<string> MinerIds, double PowerW);
