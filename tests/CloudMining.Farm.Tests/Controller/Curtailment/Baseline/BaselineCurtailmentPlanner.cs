using CloudMining.Farm.Controller.Curtailment;

namespace CloudMining.Farm.Tests.Controller.Curtailment.Baseline;

/// <summary>
/// The planner as it was on main at 57c9f21 (string-keyed groups, whole-fleet sort, steps sorted with a comparer), kept
/// verbatim under another name: <c>CurtailmentPlannerEquivalenceTests</c> proves the indexed planner gives identical
/// plans, and <c>CurtailmentBenchmarks</c> (which links these files) measures both in one run.
/// </summary>
internal static class BaselineCurtailmentPlanner
{
    public static CurtailmentPlan Plan(
        CurtailmentGoal goal,
        IReadOnlyList<CurtailmentCandidate> miners,
        IReadOnlyList<CurtailmentContract> contracts,
        CurtailmentSettings? settings = null) =>
        new BaselineCurtailmentRun(goal, miners, contracts, settings ?? CurtailmentSettings.Default).Run();
}
