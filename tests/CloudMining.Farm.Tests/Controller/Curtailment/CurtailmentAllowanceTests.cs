using CloudMining.Farm.Controller.Allocation;
using CloudMining.Farm.Controller.Contracts;
using CloudMining.Farm.Controller.Curtailment;
using CloudMining.Farm.Controller.Ledger;
using CloudMining.Farm.Controller.Store;
using CloudMining.Farm.Shared.Units;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace CloudMining.Farm.Tests.Controller.Curtailment;

/// <summary>A curtailable contract's allowance (hours per period) used by the hours the curtailment ledger counts, on a fake clock.</summary>
public sealed class CurtailmentAllowanceTests : IDisposable
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 6, 10, 0, 0, TimeSpan.Zero));
    private readonly string _dir = Directory.CreateTempSubdirectory("farm-allowance-").FullName;

    internal static readonly Contract Curt = Make("curt", CurtailmentTerms.Allow(6, CurtailmentPeriod.Day));
    internal static readonly Contract Prot = Make("prot", null);

    /// <summary>Two house miners (7 kW) and two miners of the curtailable contract (6.6 kW).</summary>
    internal static IReadOnlyList<CurtailmentCandidate> Fleet() =>
    [
        new("h1", "r1", 3000, 100e12, true, false, null, []),
        new("h2", "r1", 4000, 100e12, true, false, null, []),
        new("c1", "r1", 3200, 100e12, true, false, null, [new PoolShare("curt", 1)]),
        new("c2", "r2", 3400, 100e12, true, false, null, [new PoolShare("curt", 1)]),
    ];

    internal static Contract Make(string id, CurtailmentTerms? terms) => Contract.Create(
        id,
        "customer-" + id,
        Hashrate.FromTerahashes(200),
        PoolAccount.Create("stratum+tcp://btc.pool.example:3333", "acct." + id),
        ContractTerm.Fixed(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2027, 1, 1, 0, 0, 0, TimeSpan.Zero)),
        FeeTerms.Create(0.05m, electricityAtCost: true),
        terms);

    /// <summary>Runs one-minute ticks for <paramref name="minutes"/> with <paramref name="plan"/>'s steps curtailed (measured asleep), closing hours as they complete.</summary>
    private List<CurtailmentLedgerRow> Curtail(CurtailmentLedger ledger, CurtailmentPlan plan, int minutes)
    {
        var closed = new List<CurtailmentLedgerRow>();
        for (int m = 0; m < minutes; m++)
        {
            DateTimeOffset from = _clock.GetUtcNow();
            _clock.Advance(TimeSpan.FromMinutes(1));
            ledger.Credit(from, _clock.GetUtcNow(), plan.Steps, _ => ((double?)150, (double?)0));
            closed.AddRange(ledger.CloseCompletedHours(_clock.GetUtcNow(), [Curt, Prot]));
        }

        return closed;
    }

    [Fact]
    public void Curtailed_time_is_counted_once_per_owner_per_hour_whatever_the_number_of_its_miners()
    {
        var ledger = new CurtailmentLedger();
        CurtailmentPlan plan = CurtailmentPlanner.Plan(CurtailmentGoal.Reduce(12, TimeSpan.FromHours(2), "dr"), Fleet(), [new CurtailmentContract("curt", Curt.Curtailment, TimeSpan.FromHours(6))]);
        Assert.Equal(2, plan.Steps.Count(s => s.Owner == "curt"));

        List<CurtailmentLedgerRow> closed = Curtail(ledger, plan, 90);

        // 10:00-11:00 closed: a whole hour for the house and for the contract (two miners, still one hour); none for the protected one.
        Assert.Equal(1.0, closed.Single(r => r.Assignee == "curt").CurtailedHours, 9);
        Assert.Equal(1.0, closed.Single(r => r.Assignee == HousePool.AssigneeId).CurtailedHours, 9);
        Assert.Equal(0, closed.Single(r => r.Assignee == "prot").CurtailedHours);
        Assert.Equal(0.5, ledger.OpenHours().Single(r => r.Assignee == "curt").CurtailedHours, 9);
    }

    [Fact]
    public void A_contract_whose_allowance_is_used_up_is_left_alone_until_its_next_period()
    {
        var ledger = new CurtailmentLedger();
        var allowance = new CurtailmentAllowance();
        CurtailmentGoal goal = CurtailmentGoal.Reduce(12, TimeSpan.FromMinutes(30), "dr");
        CurtailmentContract Left() => allowance.Contracts([Curt, Prot], _clock.GetUtcNow(), ledger.OpenHours()).Single(c => c.Id == "curt");

        // The whole 6 h to start with; 90 minutes curtailed leave 4.5 h (one closed hour and half an open one).
        Assert.Equal(TimeSpan.FromHours(6), Left().AllowanceLeft);
        CurtailmentPlan plan = CurtailmentPlanner.Plan(goal, Fleet(), [Left()]);
        Assert.Contains(plan.Steps, s => s.Owner == "curt");
        allowance.Add(Curtail(ledger, plan, 90));
        Assert.Equal(4.5, Left().AllowanceLeft.TotalHours, 6);

        // An event longer than what is left: the contract is not touched, and the plan says why.
        CurtailmentPlan longer = CurtailmentPlanner.Plan(CurtailmentGoal.Reduce(12, TimeSpan.FromHours(5), "dr"), Fleet(), [Left()]);
        Assert.DoesNotContain(longer.Steps, s => s.Owner == "curt");
        Assert.Contains(longer.Notes, n => n.Contains("only 4.5 h are left this day", StringComparison.Ordinal));

        // Curtailed on until 16:00: 6 h used up; the planner leaves it alone even for a short event.
        allowance.Add(Curtail(ledger, plan, 270));
        Assert.Equal(TimeSpan.Zero, Left().AllowanceLeft);
        CurtailmentPlan usedUp = CurtailmentPlanner.Plan(goal, Fleet(), [Left()]);
        Assert.DoesNotContain(usedUp.Steps, s => s.Owner == "curt");
        Assert.Contains(usedUp.Notes, n => n.Contains("allowance for this day is used up", StringComparison.Ordinal));
        Assert.True(usedUp.ShortfallW > 0, "the house alone cannot shed 12 kW");

        // The next UTC day the allowance is whole again.
        _clock.SetUtcNow(new DateTimeOffset(2026, 12, 7, 0, 5, 0, TimeSpan.Zero));
        allowance.Add(ledger.CloseCompletedHours(_clock.GetUtcNow(), [Curt, Prot]));
        Assert.Equal(TimeSpan.FromHours(6), Left().AllowanceLeft);
        Assert.Contains(CurtailmentPlanner.Plan(goal, Fleet(), [Left()]).Steps, s => s.Owner == "curt");
    }

    [Fact]
    public async Task Curtailed_hours_survive_the_store_and_load_back_per_contract()
    {
        var ledger = new CurtailmentLedger();
        CurtailmentPlan plan = CurtailmentPlanner.Plan(CurtailmentGoal.Reduce(12, TimeSpan.FromHours(2), "dr"), Fleet(), [new CurtailmentContract("curt", Curt.Curtailment, TimeSpan.FromHours(6))]);
        DateTimeOffset start = _clock.GetUtcNow();
        List<CurtailmentLedgerRow> closed = Curtail(ledger, plan, 90);

        await using (SqliteControllerStore store = await SqliteControllerStore.OpenAsync(Path.Combine(_dir, "a.db"), CancellationToken.None))
        {
            await store.CloseCurtailmentHoursAsync(closed, ledger.OpenHours(), CancellationToken.None);
        }

        // After a restart (migration 11): the contract's closed hour and its open half hour count against its allowance.
        await using (SqliteControllerStore store = await SqliteControllerStore.OpenAsync(Path.Combine(_dir, "a.db"), CancellationToken.None))
        {
            IReadOnlyList<CurtailmentLedgerRow> since = await store.GetCurtailedHoursSinceAsync(start.AddDays(-1), CancellationToken.None);
            CurtailmentLedgerRow row = Assert.Single(since);
            Assert.Equal(("curt", start, 1.0), (row.Assignee, row.Hour, Math.Round(row.CurtailedHours, 9)));
            var allowance = new CurtailmentAllowance();
            allowance.Add(since);
            var reopened = new CurtailmentLedger(await store.LoadOpenCurtailmentAsync(CancellationToken.None));
            Assert.Equal(0.5, reopened.OpenHours().Single(r => r.Assignee == "curt").CurtailedHours, 9);
            Assert.Equal(4.5, allowance.Contracts([Curt], _clock.GetUtcNow(), reopened.OpenHours()).Single().AllowanceLeft.TotalHours, 6);
        }
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
