using CloudMining.Farm.Controller.Contracts;
using CloudMining.Farm.Controller.Engine;
using CloudMining.Farm.Controller.Ingest;
using CloudMining.Farm.Controller.Proof;
using CloudMining.Farm.Shared.Units;
using CloudMining.Farm.Shared.Wire;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace CloudMining.Farm.Tests.Controller.Proof;

/// <summary>The engine's proof-of-delivery part on its own: credits per contract pool, the hold before a rebalance, the allocation factor.</summary>
public sealed class DeliveryProofTests
{
    private const string PoolUrl = "stratum+tcp://customer.pool.example:3333";
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 3, 1, 10, 0, 0, TimeSpan.Zero));

    [Fact]
    public void Accepted_difficulty_is_credited_to_the_contract_whose_pool_account_earned_it_and_to_nobody_else()
    {
        DeliveryProof proof = Proof();
        var pools = new Dictionary<PoolKey, string> { [PoolKey.Of(PoolUrl, "acct.c1")] = "c1" };
        DateTimeOffset first = _clock.GetUtcNow();
        Assert.Empty(proof.Observe([Rack(Reading("m1", first, ("acct.c1", 1000), ("op.house", 1000)))], pools));

        _clock.Advance(TimeSpan.FromSeconds(10));
        IReadOnlyList<DeliveryCredit> credits = proof.Observe([Rack(Reading("m1", _clock.GetUtcNow(), ("acct.c1", 1500), ("op.house", 9000)))], pools);

        DeliveryCredit credit = Assert.Single(credits);
        Assert.Equal(new DeliveryCredit("c1", first, _clock.GetUtcNow(), 500, "m1"), credit);
    }

    [Fact]
    public void Under_delivery_held_past_the_hold_time_triggers_one_rebalance_with_a_bounded_factor()
    {
        DeliveryProof proof = Proof(o => o.ProofHoldMin = 1);
        Contract c = Contract("c1", th: 100);
        var pools = new Dictionary<PoolKey, string> { [PoolKey.Of(PoolUrl, "acct.c1")] = "c1" };
        double allocated = 100e12;

        // The pool accepts half of what is allocated: 50 TH/s worth of difficulty per second.
        double diff = 0;
        bool triggered = false;
        int rebalancesAt = -1;
        for (int i = 0; i <= 24 && !triggered; i++)
        {
            proof.Observe([Rack(Reading("m1", _clock.GetUtcNow(), ("acct.c1", diff)))], pools);
            triggered = proof.Evaluate([c], _ => allocated, _clock.GetUtcNow());
            rebalancesAt = triggered ? i : rebalancesAt;
            _clock.Advance(TimeSpan.FromSeconds(10));
            diff += 50e12 * 10 / DeliveryMeter.HashesPerDifficulty;
        }

        Assert.True(triggered, "a contract delivering half its target for longer than the hold must ask for a rebalance");
        Assert.True(rebalancesAt >= 6, $"the rebalance came after {rebalancesAt * 10} s, before the 60 s hold");
        Assert.Equal(1, proof.Rebalances);
        Assert.InRange(proof.DeliveredHs("c1")!.Value, 45e12, 55e12);

        // The allocator now serves target × allocated/delivered ≈ 2 (the upper bound).
        Contract corrected = Assert.Single(proof.Corrected([c]));
        Assert.InRange(corrected.Target.TerahashesPerSecond, 180, 200);

        proof.Forget("c1");
        Assert.Equal(100, Assert.Single(proof.Corrected([c])).Target.TerahashesPerSecond, 6);
    }

    [Fact]
    public void A_contract_without_a_reading_is_never_rebalanced()
    {
        DeliveryProof proof = Proof(o => o.ProofHoldMin = 0);
        Contract c = Contract("c1", th: 100);
        for (int i = 0; i < 10; i++)
        {
            Assert.False(proof.Evaluate([c], _ => 100e12, _clock.GetUtcNow()));
            _clock.Advance(TimeSpan.FromMinutes(1));
        }

        Assert.Null(proof.DeliveredHs("c1"));
        Assert.Equal(0, proof.Rebalances);
    }

    private static DeliveryProof Proof(Action<EngineOptions>? configure = null)
    {
        var options = new EngineOptions();
        configure?.Invoke(options);
        return new DeliveryProof(Options.Create(options), NullLogger<DeliveryProof>.Instance);
    }

    private Contract Contract(string id, double th) =>
        CloudMining.Farm.Controller.Contracts.Contract.Create(id, "cust", Hashrate.FromTerahashes(th), PoolAccount.Create(PoolUrl, "acct." + id),
            ContractTerm.Fixed(_clock.GetUtcNow().AddDays(-1), _clock.GetUtcNow().AddDays(30)), FeeTerms.Create(0, false));

    private static RackLiveState Rack(params MinerLiveState[] miners) => new("s1", "r1", AgentState.Online, miners.Length, miners);

    private static MinerLiveState Reading(string minerId, DateTimeOffset at, params (string User, double Difficulty)[] pools) => new()
    {
        Site = "s1",
        Rack = "r1",
        MinerId = minerId,
        TelemetryAt = at,
        ReceivedAt = at,
        Pools = [.. pools.Select((p, i) => new TelemetryPool { Index = i, Url = p.User == "op.house" ? "stratum+tcp://house.pool.example:3333" : PoolUrl, User = p.User, DifficultyAccepted = p.Difficulty })],
    };
}
