namespace CloudMining.Farm.Controller.Curtailment;

/// <summary>Miners resumed (or set back to full power) together, at <see cref="At"/>, drawing about <see cref="PowerW"/> again.</summary>
public sealed record RestoreWave(DateTimeOffset At, IReadOnlyList<string> MinerIds, double PowerW);
