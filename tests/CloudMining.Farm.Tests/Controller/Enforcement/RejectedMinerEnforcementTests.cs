using CloudMining.Farm.ControlApi;
using CloudMining.Farm.Controller.Enforcement;
using CloudMining.Farm.Controller.Operations;
using CloudMining.Farm.Shared.Wire;
using CloudMining.Farm.Tests.Controller.Engine;
using Xunit;

namespace CloudMining.Farm.Tests.Controller.Enforcement;

/// <summary>An agent that took a generation but rejected one miner's entry: the rack is not stuck, that one miner is not enforced.</summary>
public sealed class RejectedMinerEnforcementTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_rack_whose_only_problem_is_one_rejected_miner_is_not_lagging_and_names_the_miner()
    {
        var tracker = new RackEnforcementTracker(TimeSpan.FromMinutes(2));
        tracker.Published("R01", 7, [new MinerPoolAssignment("R01-m1", [new PoolTarget("stratum+tcp://p.example:3333", "w1", 0)])], T0);
        ReportedMinerStatus[] statuses =
        [
            new("R01-m1", ReportedMinerState.Applied, 7),
            new("R01-ghost", ReportedMinerState.Rejected, Reason: "miners[1].minerId: 'R01-ghost' is not a miner of rack R01"),
        ];

        tracker.Reported("R01", 7, ["R01-ghost: rejected: miners[1].minerId: 'R01-ghost' is not a miner of rack R01"], T0.AddSeconds(5), statuses);

        Assert.Empty(tracker.UpdateLagging(T0.AddMinutes(10)));
        RackEnforcementState state = tracker.Find("R01")!;
        Assert.False(state.Lagging);
        Assert.Equal(7, state.AppliedGeneration);
        Assert.Equal("R01-ghost", Assert.Single(state.RejectedMiners).MinerId);
        Assert.Contains("is not a miner of rack R01", tracker.RejectionOf("R01", "R01-ghost"), StringComparison.Ordinal);
        Assert.Null(tracker.RejectionOf("R01", "R01-m1"));
        Assert.Null(tracker.RejectionOf("R02", "R01-ghost"));

        // The next report without the rejection clears it; a report of an older generation (re-delivery) changes nothing.
        tracker.Reported("R01", 8, [], T0.AddMinutes(11), [new("R01-m1", ReportedMinerState.Applied, 8)]);
        tracker.Reported("R01", 7, [], T0.AddMinutes(12), statuses);
        Assert.Empty(tracker.Find("R01")!.RejectedMiners);
        Assert.Null(tracker.RejectionOf("R01", "R01-ghost"));
    }

    [Fact]
    public void A_rack_that_did_not_take_the_generation_still_lags()
    {
        var tracker = new RackEnforcementTracker(TimeSpan.FromMinutes(2));
        tracker.Published("R01", 7, [], T0);
        tracker.Reported("R01", 6, ["desired generation 7 rejected: site/rack: …"], T0.AddSeconds(5), [new("R01-m1", ReportedMinerState.Applied, 6)]);

        Assert.Equal("R01", Assert.Single(tracker.UpdateLagging(T0.AddMinutes(3))).Rack);
    }

    [Fact]
    public async Task The_fleet_view_shows_the_rejected_miner_with_its_reason_and_its_contract_share_as_not_enforced()
    {
        await using EngineFarm farm = await EngineFarm.StartAsync();
        farm.WithMiners(racks: 2, perRack: 3, th: 100);
        await farm.RunAsync(TimeSpan.FromSeconds(20));
        ContractView contract = await farm.AddContractAsync("c1", 200);
        ShareView victim = contract.Shares[0];
        const string Reason = "miners[0] (x).pools[0].quota: the miner's firmware profile 'braiins-os' cannot set pool quotas; leave quota out for this miner.";

        farm.Engine.OnReported(new ReportedPoolStatePayload
        {
            Publisher = "agent-s1-" + victim.Rack,
            Seq = 9,
            Timestamp = farm.Clock.GetUtcNow(),
            Site = EngineFarm.Site,
            Rack = victim.Rack,
            Generation = farm.Engine.Version,
            Miners = [],
            Errors = [$"{victim.MinerId}: rejected: {Reason}"],
            Applied = false,
            MinerStatus = [new ReportedMinerStatus(victim.MinerId, ReportedMinerState.Rejected, Reason: Reason)],
        });

        FleetView fleet = await farm.Engine.GetFleetAsync(CancellationToken.None);
        RackView rack = fleet.Racks.Single(r => r.Rack == victim.Rack);
        Assert.Equal(new RejectedMinerView(victim.MinerId, Reason), Assert.Single(rack.RejectedMiners!));
        Assert.False(rack.Lagging);
        Assert.Empty(fleet.Racks.Single(r => r.Rack != victim.Rack).RejectedMiners!);
        MinerView miner = (await farm.Engine.GetMinerAsync(victim.MinerId, CancellationToken.None))!;
        Assert.Equal(Reason, miner.PoolRejection);
        Assert.All(miner.Shares, s => Assert.False(s.Enforced));
        ContractView after = (await farm.Engine.GetContractAsync("c1", CancellationToken.None))!;
        Assert.False(after.Shares.Single(s => s.MinerId == victim.MinerId).Enforced);
        Assert.All(after.Shares.Where(s => s.MinerId != victim.MinerId), s => Assert.True(s.Enforced));
    }
}
