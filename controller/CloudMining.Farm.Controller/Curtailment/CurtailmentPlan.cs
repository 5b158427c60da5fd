namespace CloudMining.Farm.Controller.Curtailment;

/// <summary>
/// The planner's answer: the steps in the order chosen, the power they shed against the goal, what remains short (the
/// rest runs protected contracts, or miners that can neither sleep nor lower power), the cost per assignee, and notes
/// that explain the plan as a whole (protected contracts left alone, allowances used up).
/// </summary>
public sealed record CurtailmentPlan(
    CurtailmentGoal Goal,
    IReadOnlyList<MinerCurtailment> Steps,
    double MeasuredPowerW,
    double ShedW,
    double ShortfallW,
    IReadOnlyList<AssigneeCurtailment> Assignees,
    IReadOnlyList<string> Notes);
