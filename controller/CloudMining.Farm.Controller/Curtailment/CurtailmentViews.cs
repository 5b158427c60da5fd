using CloudMining.Farm.Controller.Curtailment.Signals;

namespace CloudMining.Farm.Controller.Curtailment;

/// <summary>Curtailment plans and signals as the local API shows them.</summary>
public static class CurtailmentViews
{
    public static CurtailmentPlanView Plan(string site, CurtailmentPlan plan, bool recorded, IReadOnlyList<RestoreWave> restore, bool enforced = false)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(restore);
        return new CurtailmentPlanView(
            site,
            plan.Goal.Why,
            double.IsPositiveInfinity(plan.Goal.ShedW) ? null : plan.Goal.ShedW,
            plan.Goal.HouseOnly,
            plan.MeasuredPowerW,
            plan.ShedW,
            plan.ShortfallW,
            [.. plan.Steps.Select(s => new CurtailmentStepView(s.MinerId, s.Rack, Action(s.Action), s.PowerTargetW, s.Owner, s.MeasuredPowerW, s.JoulesPerTerahash, s.SavedW, s.LostHs, s.Reason))],
            [.. plan.Assignees.Select(a => new CurtailmentAssigneeView(a.Assignee, a.Curtailable, a.Miners, a.SavedW, a.LostHs))],
            plan.Notes,
            recorded,
            Enforced: enforced,
            [.. restore.Select(w => new CurtailmentRestoreView(w.At, w.MinerIds, w.PowerW))]);
    }

    public static string Action(CurtailmentAction action) => action == CurtailmentAction.Sleep ? "sleep" : "lower-power";

    public static CurtailmentSignalView Price(EnergyPrice p)
    {
        ArgumentNullException.ThrowIfNull(p);
        return new CurtailmentSignalView("price", Source(p.Source), p.PerMegawattHour, p.Currency, null, p.ValidFrom, p.ValidUntil, null);
    }

    public static CurtailmentSignalView Event(DemandResponseEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return new CurtailmentSignalView("demand-response", Source(e.Source), null, null, e.ReduceKilowatts, e.Start, e.End, e.Id);
    }

    private static string Source(SignalSource source) => source switch
    {
        SignalSource.Tariff => "tariff",
        SignalSource.Operator => "operator",
        _ => "mqtt",
    };
}
