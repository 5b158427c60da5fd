namespace CloudMining.Farm.ControlApi;

/// <summary>
/// A curtailment plan as farmctl shows it: the goal and why, the steps, the power shed against the goal, the cost per
/// assignee, notes (what was left alone and why), and whether anything is enforced (<see cref="Enforced"/>).
/// </summary>
public sealed record CurtailmentPlanView(
    string Site,
    string Goal,
    double? GoalW,
    bool HouseOnly,
    double MeasuredPowerW,
    double ShedW,
    double ShortfallW,
    IReadOnlyList<CurtailmentStepView> Steps,
    IReadOnlyList<CurtailmentAssigneeView> Assignees,
    IReadOnlyList<string> Notes,
    bool Recorded,
    bool Enforced,
    IReadOnlyList<CurtailmentRestoreView> Restore);
