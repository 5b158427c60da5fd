using CloudMining.Farm.Controller.Allocation;
using CloudMining.Farm.Controller.Contracts;
using CloudMining.Farm.Controller.Curtailment;
using CloudMining.Farm.Controller.Ledger;
using CloudMining.Farm.Shared.Units;
using CloudMining.Farm.Shared.Wire;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace CloudMining.Farm.Tests.Controller.Curtailment;

/// <summary>
/// A curtailable contract whose allowance runs out during an event: its miners come back in staggered waves and the
/// event does not curtail it again (not even by a top-up), while the house stays curtailed — the engine's tick
/// (allowance from the ledger, <see cref="CurtailmentEnforcer.RestoreUsedUp"/>, <see cref="CurtailmentEnforcer.Update"/>,
/// ledger credit) driven on a fake clock.
/// </summary>
public sealed class AllowanceRunsOutTests
{
    private static readonly TimeSpan Tick = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(30);
    private const double WaveW = 4000;

    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 6, 10, 0, 0, TimeSpan.Zero));

    private static readonly Contract Curt = CurtailmentAllowanceTests.Curt;
    private static readonly Contract Prot = CurtailmentAllowanceTests.Prot;

    /// <summary>Two house miners (7 kW), two of the curtailable contract (6.6 kW), one of the protected one.</summary>
    private static IReadOnlyList<CurtailmentCandidate> Fleet() =>
        [.. CurtailmentAllowanceTests.Fleet(), new("p1", "r2", 3000, 100e12, true, false, null, [new PoolShare("prot", 1)])];

    [Fact]
    public void A_contract_whose_allowance_runs_out_mid_event_is_restored_in_waves_and_not_curtailed_again()
    {
        // 5 of its 6 hours today are used already (04:00-09:00): 1 h left at 10:00, as long as the event was announced.
        var ledger = new CurtailmentLedger();
        var allowance = new CurtailmentAllowance();
        allowance.Add([.. Enumerable.Range(4, 5).Select(h => new CurtailmentLedgerRow("curt", new DateTimeOffset(2026, 12, 6, h, 0, 0, TimeSpan.Zero), 100, 10, 1.0))]);
        var enforcer = new CurtailmentEnforcer();
        AllowanceUse Use() => allowance.Use([Curt, Prot], _clock.GetUtcNow(), ledger.OpenHours()).Single(u => u.ContractId == "curt");
        Assert.Equal(TimeSpan.FromHours(1), Use().Left);

        // The event (12 kW, one hour) is extended on the wire without a new reduction: the same goal runs on to 11:30.
        DateTimeOffset end = _clock.GetUtcNow().AddHours(1);
        var resumedAt = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        var recurtailed = new List<string>();
        DateTimeOffset? releasedAt = null;
        DateTimeOffset previous = _clock.GetUtcNow();
        while (_clock.GetUtcNow() <= new DateTimeOffset(2026, 12, 6, 11, 30, 0, TimeSpan.Zero))
        {
            DateTimeOffset now = _clock.GetUtcNow();
            // A top-up of the same event at 11:15 plans again: it must not take the contract back.
            string key = now >= new DateTimeOffset(2026, 12, 6, 11, 15, 0, TimeSpan.Zero) ? "dr:e1:12:top-up1" : "dr:e1:12";
            IReadOnlyList<(string ContractId, int Miners)> restored = enforcer.RestoreUsedUp(
                id => allowance.Use([Curt, Prot], now, ledger.OpenHours()).Single(u => u.ContractId == id).Left, WaveW, Interval, now);
            if (restored.Count > 0)
            {
                Assert.Equal([("curt", 2)], restored);
                releasedAt = now;
            }

            TimeSpan duration = end > now ? end - now : TimeSpan.FromMinutes(30);
            enforcer.Update(key, _ => CurtailmentPlanner.Plan(CurtailmentGoal.Reduce(12, duration, "dr e1"), Fleet(), allowance.Contracts([Curt, Prot], now, ledger.OpenHours())), WaveW, Interval, now);
            foreach ((string id, MinerCurtailTarget t) in enforcer.Targets())
            {
                if (t.Action == CurtailAction.Resume)
                {
                    resumedAt.TryAdd(id, now);
                }
                else if (resumedAt.ContainsKey(id))
                {
                    recurtailed.Add($"{id} {t.Action} at {now:HH:mm:ss}");
                }
            }

            if (now == previous)
            {
                // At 10:00 the contract is curtailed with the house, the protected contract never.
                Assert.Equal(["c1", "c2", "h1", "h2"], enforcer.Targets().Keys.Order(StringComparer.Ordinal));
            }

            ledger.Credit(previous, now, [.. enforcer.Curtailed.Select(c => c.Step)], _ => ((double?)150, (double?)0));
            allowance.Add(ledger.CloseCompletedHours(now, [Curt, Prot]));
            previous = now;
            _clock.Advance(Tick);
        }

        // Restored on the tick after the one whose credit used its allowance up (as in the engine, the check comes
        // before the tick's credit: the 11:00 tick closes 10:00-11:00, the 11:00:10 one restores), in two waves one
        // interval apart (3.0 and 3.2 kW against a 4 kW wave), never curtailed again; the house still is.
        Assert.Equal(new DateTimeOffset(2026, 12, 6, 11, 0, 0, TimeSpan.Zero) + Tick, releasedAt);
        Assert.Equal(releasedAt, resumedAt["c1"]);
        Assert.Equal(releasedAt + Interval, resumedAt["c2"]);
        Assert.Empty(recurtailed);
        Assert.DoesNotContain("h1", resumedAt.Keys);
        Assert.DoesNotContain("h2", resumedAt.Keys);
        Assert.Equal([CurtailAction.Sleep, CurtailAction.Sleep], new[] { enforcer.Targets()["h1"].Action, enforcer.Targets()["h2"].Action });
        Assert.Contains("curt", enforcer.UsedUp);
        Assert.DoesNotContain("p1", resumedAt.Keys);

        // Its allowance is used up, and overrun by no more than the wait for its last wave.
        Assert.Equal(TimeSpan.Zero, Use().Left);
        Assert.InRange(Use().UsedHours, 6, 6 + ((Interval + Tick).TotalHours * 1.01));

        // The event ends: the house comes back in waves; the contract's mark is cleared for the next goal.
        enforcer.Update(null, _ => throw new InvalidOperationException("no plan when the goal ends"), WaveW, Interval, _clock.GetUtcNow());
        Assert.Empty(enforcer.UsedUp);
        Assert.Equal(2, enforcer.PendingWaves.Count + enforcer.Targets().Values.Count(t => t.Action == CurtailAction.Resume && t.MinerId.StartsWith('h')));
    }
}
