using CloudMining.Farm.Controller.Curtailment;
using CloudMining.Farm.Controller.Curtailment.Signals;
using CloudMining.Farm.Controller.Operations;

namespace CloudMining.Farm.Controller.Engine;

// ICurtailmentOperations: plans over the fleet as judged now, the current allocation and the active contracts, under
// the engine's lock. Apply and end record the operator's signal; nothing is sent to the agents yet.
public sealed partial class ControllerEngine : ICurtailmentOperations
{
    public Task<CurtailmentStatusView> GetCurtailmentAsync(CancellationToken cancellationToken) =>
        LockedAsync(
            now =>
            {
                var signals = new List<CurtailmentSignalView>();
                if (_curtailment.PriceAt(now) is { } price)
                {
                    signals.Add(CurtailmentViews.Price(price));
                }

                signals.AddRange(_curtailment.Events(now).Select(CurtailmentViews.Event));
                StrikeGate? gate = _curtailment.Gate;
                return Task.FromResult(new CurtailmentStatusView(
                    _fleet.Site,
                    gate?.Settings.Strike,
                    _curtailment.Options.Hysteresis,
                    gate?.Curtailed ?? false,
                    gate is null ? "no strike price set" : gate.Curtailed ? "curtailed by the strike gate" : "running",
                    signals,
                    PlanNow(now, recorded: false)));
            },
            cancellationToken);

    public Task<CurtailmentPlanView> PlanCurtailmentAsync(CurtailmentRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return LockedAsync(now => Task.FromResult(PlanFor(_curtailment.GoalFor(request, now), now, recorded: false)), cancellationToken);
    }

    public Task<CurtailmentPlanView> ApplyCurtailmentAsync(CurtailmentRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return LockedAsync(
            now =>
            {
                CurtailmentGoal goal = _curtailment.GoalFor(request, now);
                _curtailment.Record(request, now);
                return Task.FromResult(PlanFor(goal, now, recorded: true));
            },
            cancellationToken);
    }

    public Task<CurtailmentPlanView> EndCurtailmentAsync(CancellationToken cancellationToken) =>
        LockedAsync(
            now =>
            {
                // What the operator's signals curtail now is what comes back, staggered.
                CurtailmentPlan before = Plan(CurrentGoal(now));
                _curtailment.End();
                return Task.FromResult(CurtailmentViews.Plan(_fleet.Site, before, recorded: true, Restore(before, now)));
            },
            cancellationToken);

    /// <summary>The goal the signals in force give now: the largest active demand-response reduction, else the price against the strike.</summary>
    private CurtailmentGoal CurrentGoal(DateTimeOffset now)
    {
        DemandResponseEvent? largest = _curtailment.Events(now).Where(e => e.IsActiveAt(now)).MaxBy(e => e.ReduceKilowatts);
        return largest is not null
            ? CurtailmentGoal.Reduce(largest.ReduceKilowatts, largest.End - now, $"demand-response event {largest.Id} ({largest.Source}): reduce {largest.ReduceKilowatts:0.#} kW until {largest.End:u}")
            : _curtailment.GoalFor(new CurtailmentRequest(), now);
    }

    private CurtailmentPlanView PlanNow(DateTimeOffset now, bool recorded) => PlanFor(CurrentGoal(now), now, recorded);

    private CurtailmentPlanView PlanFor(CurtailmentGoal goal, DateTimeOffset now, bool recorded)
    {
        CurtailmentPlan plan = Plan(goal);
        return CurtailmentViews.Plan(_fleet.Site, plan, recorded, Restore(plan, now));
    }

    private CurtailmentPlan Plan(CurtailmentGoal goal) =>
        CurtailmentPlanner.Plan(
            goal,
            CurtailmentDesk.Candidates(_fleet.Current, _allocation.Assignments),
            CurtailmentDesk.Contracts(_contracts.ActiveAt(_time.GetUtcNow())),
            _curtailment.Settings);

    private IReadOnlyList<RestoreWave> Restore(CurtailmentPlan plan, DateTimeOffset now) =>
        RestoreSchedule.Build(plan.Steps, _curtailment.Options.RestoreWaveKw * 1000, _curtailment.Options.RestoreInterval, now);
}
