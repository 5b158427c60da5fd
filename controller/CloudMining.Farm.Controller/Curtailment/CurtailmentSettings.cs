namespace CloudMining.Farm.Controller.Curtailment;

/// <summary>How the planner estimates what it cannot read from the fleet.</summary>
/// <param name="PowerTargetFloor">
/// When a firmware takes a power target but does not report its lowest value, the planner lowers it to at most this
/// fraction of its measured power (0.7: a typical autotuning floor), never further.
/// </param>
/// <param name="SleepDrawFraction">
/// What a sleeping miner still draws, as a fraction of its power running: control board, fans and the power supply's
/// own losses stay on, so sleep saves its measured power times (1 − this), not all of it. The engine replaces the
/// configured value by what sleeping miners are measured to draw once their telemetry shows it.
/// </param>
public sealed record CurtailmentSettings(double PowerTargetFloor = 0.7, double SleepDrawFraction = 0.05)
{
    public static CurtailmentSettings Default { get; } = new();
}
