namespace CloudMining.Farm.Controller.Curtailment;

/// <summary>How the planner estimates what it cannot read from the fleet.</summary>
/// <param name="PowerTargetFloor">
/// When a firmware takes a power target but does not report its lowest value, the planner lowers it to at most this
/// fraction of its measured power (0.7: a typical autotuning floor), never further.
/// </param>
public sealed record CurtailmentSettings(double PowerTargetFloor = 0.7)
{
    public static CurtailmentSettings Default { get; } = new();
}
