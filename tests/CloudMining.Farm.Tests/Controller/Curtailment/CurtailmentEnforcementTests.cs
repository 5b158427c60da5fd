using CloudMining.Farm.Controller.Allocation;
using CloudMining.Farm.Controller.Contracts;
using CloudMining.Farm.Controller.Curtailment;
using CloudMining.Farm.Controller.Ledger;
using CloudMining.Farm.Controller.Store;
using CloudMining.Farm.Shared.Wire;
using Microsoft.Extensions.Time.Testing;
using Xunit;
using static CloudMining.Farm.Tests.Controller.ControllerSamples;

namespace CloudMining.Farm.Tests.Controller.Curtailment;

/// <summary>The controller's side of enforcement (held plan, staggered restore, switches) and the curtailment ledger, on a fake clock.</summary>
public sealed class CurtailmentEnforcementTests : IDisposable
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 6, 10, 0, 0, TimeSpan.Zero));
    private readonly string _dir = Directory.CreateTempSubdirectory("farm-curtail-").FullName;

    private static readonly CurtailmentContract Prot = new("prot", CurtailmentTerms.Protected, TimeSpan.Zero);
    private static readonly CurtailmentContract Curt = new("curt", CurtailmentTerms.Allow(6, CurtailmentPeriod.Day), TimeSpan.FromHours(6));

    /// <summary>Four house miners (3.0 to 4.5 kW, 100 TH/s each), two on the protected contract, two on the curtailable one.</summary>
    private static IReadOnlyList<CurtailmentCandidate> Fleet() =>
    [
        new("h1", "r1", 3000, 100e12, true, false, null, []),
        new("h2", "r1", 3500, 100e12, true, true, 2000, []),
        new("h3", "r2", 4000, 100e12, true, false, null, [new PoolShare(HousePool.AssigneeId, 1)]),
        new("h4", "r2", 4500, 100e12, true, false, null, []),
        new("p1", "r1", 3000, 100e12, true, true, 2000, [new PoolShare("prot", 1)]),
        new("p2", "r2", 3000, 100e12, true, true, 2000, [new PoolShare("prot", 1)]),
        new("c1", "r1", 3200, 100e12, true, true, 2000, [new PoolShare("curt", 1)]),
        new("c2", "r2", 3400, 100e12, true, false, null, [new PoolShare("curt", 1)]),
    ];

    private static CurtailmentPlan PlanFor(CurtailmentGoal goal) => CurtailmentPlanner.Plan(goal, Fleet(), [Prot, Curt]);

    [Fact]
    public void Price_above_the_strike_gives_house_miners_sleep_or_a_power_target_and_no_contract_miner_anything()
    {
        var enforcer = new CurtailmentEnforcer();
        enforcer.Update("price", _ => PlanFor(CurtailmentGoal.WholeHouse("test")), 5000, TimeSpan.FromSeconds(30), _clock.GetUtcNow());

        IReadOnlyDictionary<string, MinerCurtailTarget> targets = enforcer.Targets();
        Assert.Equal(["h1", "h2", "h3", "h4"], targets.Keys.Order(StringComparer.Ordinal));
        Assert.All(targets.Values, t => Assert.True(t.Action is CurtailAction.Sleep or CurtailAction.PowerTarget, t.ToString()));
        Assert.DoesNotContain(targets.Keys, id => id.StartsWith('p') || id.StartsWith('c'));
        Assert.Equal(1, enforcer.Switches);
    }

    [Fact]
    public void Ending_the_goal_restores_in_waves_one_interval_apart_and_each_resume_leaves_once_applied()
    {
        var enforcer = new CurtailmentEnforcer();
        TimeSpan interval = TimeSpan.FromSeconds(30);
        enforcer.Update("price", _ => PlanFor(CurtailmentGoal.WholeHouse("test")), 5000, interval, _clock.GetUtcNow());
        Assert.Equal(4, enforcer.Targets().Count);

        // Price back below the strike: waves of at most 5 kW of returning power (each house miner is 3 to 4.5 kW: one per wave).
        _clock.Advance(TimeSpan.FromMinutes(20));
        enforcer.Update(null, _ => throw new InvalidOperationException("no plan is made when the goal ends"), 5000, interval, _clock.GetUtcNow());
        Assert.Equal(2, enforcer.Switches);
        var resumedAt = new Dictionary<string, DateTimeOffset>();
        for (int s = 0; s <= 150; s += 5)
        {
            foreach ((string id, MinerCurtailTarget t) in enforcer.Targets())
            {
                if (t.Action == CurtailAction.Resume)
                {
                    resumedAt.TryAdd(id, _clock.GetUtcNow());
                }
            }

            _clock.Advance(TimeSpan.FromSeconds(5));
            enforcer.Update(null, _ => throw new InvalidOperationException(), 5000, interval, _clock.GetUtcNow());
        }

        Assert.Equal(4, resumedAt.Count);
        DateTimeOffset[] times = [.. resumedAt.Values.Order()];
        for (int i = 1; i < times.Length; i++)
        {
            Assert.True(times[i] - times[i - 1] >= interval, $"waves {i - 1} and {i} came {(times[i] - times[i - 1]).TotalSeconds} s apart");
        }

        // Most efficient first: every house miner has 100 TH/s, so the one drawing least (h1) comes back first.
        Assert.Equal("h1", resumedAt.MinBy(p => p.Value).Key);

        // A resume the agent reports applied leaves the desired state.
        enforcer.OnReported([new ReportedCurtailment("h1", CurtailAction.Resume, ReportedMinerState.Applied)]);
        enforcer.Update(null, _ => throw new InvalidOperationException(), 5000, interval, _clock.GetUtcNow());
        Assert.DoesNotContain("h1", enforcer.Targets().Keys);
    }

    [Fact]
    public void Flapping_price_switches_the_desired_state_no_more_often_than_the_strike_gate_allows()
    {
        var gate = new StrikeGate(new StrikeSettings(100m, 10m, TimeSpan.FromMinutes(15), TimeSpan.FromMinutes(15)), _clock);
        var enforcer = new CurtailmentEnforcer();
        int plans = 0;
        int changes = 0;
        string last = string.Empty;
        for (int minute = 0; minute < 120; minute++)
        {
            gate.Observe(minute % 2 == 0 ? 150m : 50m);
            enforcer.Update(gate.Curtailed ? "price" : null, _ => { plans++; return PlanFor(CurtailmentGoal.WholeHouse("test")); }, 1e9, TimeSpan.Zero, _clock.GetUtcNow());
            string now = string.Join(';', enforcer.Targets().OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => $"{t.Key}:{t.Value.Action}"));
            if (now != last && enforcer.Targets().Values.Any(t => t.Action != CurtailAction.Resume))
            {
                changes++;
            }

            last = now;
            _clock.Advance(TimeSpan.FromMinutes(1));
        }

        // 120 switches without the gate; with 15 min minimum times at most 120 / 15 + 1.
        Assert.InRange(enforcer.Switches, 2, (120 / 15) + 1);
        Assert.Equal(gate.Switches, enforcer.Switches);
        Assert.True(plans <= (enforcer.Switches + 1) / 2, $"{plans} plans for {enforcer.Switches} switches");
        Assert.True(changes <= plans, $"{changes} curtailing desired states for {plans} plans");
    }

    [Fact]
    public void A_new_goal_plans_curtailed_miners_at_their_power_before_so_sleeping_miners_stay_asleep()
    {
        var enforcer = new CurtailmentEnforcer();
        enforcer.Update("dr:a:5", _ => PlanFor(CurtailmentGoal.Reduce(5, TimeSpan.FromHours(1), "a")), 1e9, TimeSpan.Zero, _clock.GetUtcNow());
        var first = enforcer.Targets().Keys.ToHashSet();
        IReadOnlyDictionary<string, MinerCurtailment>? seen = null;
        enforcer.Update("dr:b:9", before => { seen = before; return PlanFor(CurtailmentGoal.Reduce(9, TimeSpan.FromHours(1), "b")); }, 1e9, TimeSpan.Zero, _clock.GetUtcNow());
        Assert.NotNull(seen);
        Assert.Equal(first.Order(StringComparer.Ordinal), seen!.Keys.Order(StringComparer.Ordinal));
        Assert.Superset(first, enforcer.Targets().Where(t => t.Value.Action != CurtailAction.Resume).Select(t => t.Key).ToHashSet());
        Assert.Equal(1, enforcer.Switches);
    }

    [Fact]
    public void Demand_response_touches_the_curtailable_contract_only_after_the_house_and_never_the_protected_one()
    {
        // House: 15 kW in all; ask 17 kW.
        CurtailmentPlan plan = PlanFor(CurtailmentGoal.Reduce(17, TimeSpan.FromHours(1), "dr"));
        int lastHouse = plan.Steps.Select((s, i) => (s, i)).Where(x => x.s.Owner == HousePool.AssigneeId).Max(x => x.i);
        int firstContract = plan.Steps.Select((s, i) => (s, i)).Where(x => x.s.Owner != HousePool.AssigneeId).Min(x => x.i);
        Assert.True(lastHouse < firstContract, string.Join(", ", plan.Steps.Select(s => $"{s.MinerId}:{s.Owner}")));
        Assert.Equal(["h1", "h2", "h3", "h4"], plan.Steps.Where(s => s.Owner == HousePool.AssigneeId).Select(s => s.MinerId).Order(StringComparer.Ordinal));
        Assert.All(plan.Steps.Where(s => s.Owner != HousePool.AssigneeId), s => Assert.Equal("curt", s.Owner));
        Assert.True(plan.ShedW >= 17000, $"shed {plan.ShedW} W");
    }

    [Fact]
    public async Task Ledger_rows_for_a_curtailed_hour_book_th_hours_and_kwh_to_their_owner_and_zero_to_a_protected_contract()
    {
        var enforcer = new CurtailmentEnforcer();
        DateTimeOffset start = _clock.GetUtcNow();
        enforcer.Update("dr:x:17", _ => PlanFor(CurtailmentGoal.Reduce(17, TimeSpan.FromHours(1), "dr")), 1e9, TimeSpan.Zero, start);
        var ledger = new CurtailmentLedger();

        // Every curtailed miner measured asleep (its sleep draw, 0 H/s) or at its power target for 60 one-minute ticks: 10:00 to 11:00.
        Dictionary<string, MinerCurtailment> steps = enforcer.Curtailed.ToDictionary(c => c.Step.MinerId, c => c.Step);
        for (int minute = 0; minute < 60; minute++)
        {
            DateTimeOffset from = _clock.GetUtcNow();
            _clock.Advance(TimeSpan.FromMinutes(1));
            ledger.Credit(from, _clock.GetUtcNow(), steps.Values, id => steps[id].Action == CurtailmentAction.Sleep ? ((double?)(steps[id].MeasuredPowerW - steps[id].SavedW), (double?)0) : (steps[id].PowerTargetW, (double?)null));
        }

        Contract prot = Contract("prot", 200);
        Contract curt = Contract("curt", 200);
        IReadOnlyList<CurtailmentLedgerRow> rows = ledger.CloseCompletedHours(_clock.GetUtcNow().AddMinutes(1), [prot, curt]);
        Assert.Equal(["curt", "house", "prot"], rows.Select(r => r.Assignee).Order(StringComparer.Ordinal));
        Assert.All(rows, r => Assert.Equal(start, r.Hour));
        CurtailmentLedgerRow house = rows.Single(r => r.Assignee == HousePool.AssigneeId);

        // The four house miners for a whole hour: what each lost and saved (asleep: all of its 100 TH/s and its power less its sleep draw).
        Assert.Equal(steps.Values.Where(s => s.Owner == HousePool.AssigneeId).Sum(s => s.LostHs) / 1e12, house.CurtailedTerahashHours, 6);
        Assert.Equal(steps.Values.Where(s => s.Owner == HousePool.AssigneeId).Sum(s => s.SavedW) / 1000, house.AvoidedKilowattHours, 6);
        Assert.True(house.CurtailedTerahashHours >= 300, house.ToString());
        CurtailmentLedgerRow c = rows.Single(r => r.Assignee == "curt");
        Assert.True(c.CurtailedTerahashHours > 0 && c.AvoidedKilowattHours >= 2, c.ToString());
        CurtailmentLedgerRow p = rows.Single(r => r.Assignee == "prot");
        Assert.Equal(0, p.CurtailedTerahashHours);
        Assert.Equal(0, p.AvoidedKilowattHours);

        // Stored (migration 8) and read back; the open hours survive a restart.
        await using SqliteControllerStore store = await SqliteControllerStore.OpenAsync(Path.Combine(_dir, "c.db"), CancellationToken.None);
        ledger.Credit(_clock.GetUtcNow(), _clock.GetUtcNow().AddMinutes(1), steps.Values, _ => ((double?)0, (double?)0));
        await store.CloseCurtailmentHoursAsync(rows, ledger.OpenHours(), CancellationToken.None);
        IReadOnlyList<CurtailmentLedgerRow> back = await store.GetCurtailmentLedgerAsync("house", start, start.AddHours(1), CancellationToken.None);
        Assert.Equal(house, Assert.Single(back));
        Assert.Equal(0, Assert.Single(await store.GetCurtailmentLedgerAsync("prot", start, start.AddHours(1), CancellationToken.None)).CurtailedTerahashHours);
        Assert.Equal(ledger.OpenHours(), await store.LoadOpenCurtailmentAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Operator_signals_survive_a_restart_through_the_store()
    {
        string db = Path.Combine(_dir, "s.db");
        var site = new CloudMining.Farm.Controller.Engine.ControllerSite("s1");
        var desk = new CurtailmentDesk(site, _clock, Microsoft.Extensions.Logging.Abstractions.NullLogger<CurtailmentDesk>.Instance);
        desk.Record(new CloudMining.Farm.ControlApi.CurtailmentRequest { Price = 120m }, _clock.GetUtcNow());
        desk.Record(new CloudMining.Farm.ControlApi.CurtailmentRequest { ReduceKw = 50, DurationMinutes = 60 }, _clock.GetUtcNow());
        await using (SqliteControllerStore store = await SqliteControllerStore.OpenAsync(db, CancellationToken.None))
        {
            await store.SetOperatorSignalsAsync(desk.OperatorSignalsJson(), CancellationToken.None);
        }

        var again = new CurtailmentDesk(site, _clock, Microsoft.Extensions.Logging.Abstractions.NullLogger<CurtailmentDesk>.Instance);
        await using (SqliteControllerStore store = await SqliteControllerStore.OpenAsync(db, CancellationToken.None))
        {
            again.RestoreOperatorSignals(await store.GetOperatorSignalsAsync(CancellationToken.None), _clock.GetUtcNow());
        }

        Assert.Equal(120m, again.PriceAt(_clock.GetUtcNow())?.PerMegawattHour);
        Assert.Equal(50, Assert.Single(again.Events(_clock.GetUtcNow())).ReduceKilowatts);
        again.End();
        Assert.Null(again.OperatorSignalsJson());
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
            // best effort
        }
    }
}
