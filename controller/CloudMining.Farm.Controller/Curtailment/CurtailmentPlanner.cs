namespace CloudMining.Farm.Controller.Curtailment;

/// <summary>
/// Plans curtailment, contract-aware: the house's unsold hashrate first, the least efficient miners first, power targets
/// before sleep; contracts only when their term makes them curtailable and their allowance covers the event, then pro
/// rata among them; a miner that carries a protected contract is never touched. Pure and deterministic: the same fleet,
/// contracts and goal give the same plan.
/// </summary>
public static class CurtailmentPlanner
{
    public static CurtailmentPlan Plan(
        CurtailmentGoal goal,
        IReadOnlyList<CurtailmentCandidate> miners,
        IReadOnlyList<CurtailmentContract> contracts,
        CurtailmentSettings? settings = null)
    {
        ArgumentNullException.ThrowIfNull(goal);
        ArgumentNullException.ThrowIfNull(miners);
        ArgumentNullException.ThrowIfNull(contracts);
        if (double.IsNaN(goal.ShedW) || goal.ShedW < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(goal), goal.ShedW, "The power to shed must be zero or more watts (+∞ for everything allowed).");
        }

        using var run = new CurtailmentRun(goal, miners, contracts, settings ?? CurtailmentSettings.Default);
        return run.Run();
    }
}
