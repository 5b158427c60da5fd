using CloudMining.Farm.ControlApi;
using CloudMining.Farm.Controller.Allocation;
using CloudMining.Farm.Controller.Configuration;
using CloudMining.Farm.Controller.Contracts;
using CloudMining.Farm.Controller.Fleet;
using CloudMining.Farm.Shared.Units;
using CloudMining.Farm.Tests.Controller.Engine;
using Xunit;
using static CloudMining.Farm.Tests.Controller.ControllerSamples;

namespace CloudMining.Farm.Tests.Controller.Readings;

/// <summary>
/// The hostile-rack probe's finding: one absurd reading (1e30 H/s) a rack sends for its own miner made the next solve
/// rebalance (a new allocation version, pool switches on real miners). A suspect miner now keeps its place for
/// <see cref="ReadingEnvelopeOptions.SuspectHold"/> while it is sold to nobody and counts nowhere; only suspicion held past
/// the hold rebalances, once. The engine on a manual clock (<see cref="EngineFarm"/>).
/// </summary>
public sealed class SuspectHoldTests
{
    private static readonly TimeSpan Tick = TimeSpan.FromSeconds(10);
    private static readonly CancellationToken Ct = CancellationToken.None;

    [Fact]
    public async Task One_absurd_reading_for_a_racks_own_miner_moves_nothing_and_counts_nowhere()
    {
        (EngineFarm sold, string id) = await SoldFarmAsync();
        await using EngineFarm farm = sold;
        long version = farm.Engine.Version;
        long?[] desired = await DesiredGenerationsAsync(farm);
        CapacityView capacity = await farm.Engine.GetCapacityAsync(Ct);
        ContractView before = (await farm.Engine.GetContractAsync("c1", Ct))!;
        Assert.Equal(600e12, capacity.MeasuredHealthyHs);
        Assert.NotNull(before.DeliveredHs);

        await AbsurdReadingAsync(farm, id);

        Assert.True((await farm.Engine.GetMinerAsync(id, Ct))!.Suspect);
        Assert.Equal(version, farm.Engine.Version);
        Assert.Equal(desired, await DesiredGenerationsAsync(farm));
        ContractView during = (await farm.Engine.GetContractAsync("c1", Ct))!;
        Assert.Equal(Shares(before), Shares(during));

        // Not sold and not measured: capacity loses the miner, never gains 1e30 H/s; the contract's allocated and
        // delivered figures do not rise either.
        CapacityView suspect = await farm.Engine.GetCapacityAsync(Ct);
        Assert.Equal(500e12, suspect.MeasuredHealthyHs);
        Assert.True(suspect.UnitsTotal < capacity.UnitsTotal, $"{suspect.UnitsTotal} units with the miner suspect, {capacity.UnitsTotal} before");
        Assert.Equal(1, suspect.MinersSuspect);
        Assert.True(during.AllocatedHs < before.AllocatedHs, $"allocated {during.AllocatedHs} with the miner suspect, {before.AllocatedHs} before");
        Assert.True(during.DeliveredHs <= before.DeliveredHs, $"delivered {during.DeliveredHs} with the miner suspect, {before.DeliveredHs} before");

        // Plausible again: cleared after three readings, before the hold, and nothing moved at any point.
        await farm.RunAsync(TimeSpan.FromSeconds(40), Tick);
        Assert.False((await farm.Engine.GetMinerAsync(id, Ct))!.Suspect);
        Assert.Equal(version, farm.Engine.Version);
        Assert.Equal(desired, await DesiredGenerationsAsync(farm));
        Assert.Equal(Shares(before), Shares((await farm.Engine.GetContractAsync("c1", Ct))!));
        Assert.Equal(600e12, (await farm.Engine.GetCapacityAsync(Ct)).MeasuredHealthyHs);
    }

    [Fact]
    public async Task Suspicion_held_past_the_hold_rebalances_once_and_the_miner_leaves_the_contract()
    {
        (EngineFarm sold, string id) = await SoldFarmAsync(TimeSpan.FromMinutes(2));
        await using EngineFarm farm = sold;
        long version = farm.Engine.Version;
        long?[] desired = await DesiredGenerationsAsync(farm);

        // Its rack keeps reporting absurd readings (and counters growing as if it hashed 1e30 H/s).
        farm.Miners[id].HashrateHs = 1e30;
        await farm.RunAsync(TimeSpan.FromSeconds(110), Tick);
        Assert.True((await farm.Engine.GetMinerAsync(id, Ct))!.Suspect);
        Assert.Equal(version, farm.Engine.Version);
        Assert.Equal(desired, await DesiredGenerationsAsync(farm));

        // Two minutes after it became suspect the hold is over: one rebalance gives its place away.
        await farm.RunAsync(TimeSpan.FromSeconds(20), Tick);
        Assert.Equal(version + 1, farm.Engine.Version);
        ContractView c1 = (await farm.Engine.GetContractAsync("c1", Ct))!;
        Assert.DoesNotContain(c1.Shares, s => s.MinerId == id);
        Assert.True(c1.AllocatedHs >= 250e12, $"c1 allocated {c1.AllocatedHs} after the rebalance");
        Assert.Contains((await farm.Engine.GetAllocationAsync(Ct)).House, s => s.MinerId == id && s.Fraction == 1);

        // Still suspect, nothing more moves.
        await farm.RunAsync(TimeSpan.FromMinutes(3), Tick);
        Assert.Equal(version + 1, farm.Engine.Version);
        Assert.Equal(500e12, (await farm.Engine.GetCapacityAsync(Ct)).MeasuredHealthyHs);
    }

    [Fact]
    public async Task With_no_hold_one_absurd_reading_releases_the_miner_at_the_next_solve_as_before()
    {
        (EngineFarm sold, string id) = await SoldFarmAsync(TimeSpan.Zero);
        await using EngineFarm farm = sold;
        long version = farm.Engine.Version;

        await AbsurdReadingAsync(farm, id);

        Assert.Equal(version + 1, farm.Engine.Version);
        Assert.DoesNotContain((await farm.Engine.GetContractAsync("c1", Ct))!.Shares, s => s.MinerId == id);
    }

    [Fact]
    public async Task While_held_the_miners_share_is_suspect_time_in_the_proof_and_its_counters_credit_nothing()
    {
        (EngineFarm sold, string id) = await SoldFarmAsync();
        await using EngineFarm farm = sold;
        ProofMinerView before = await ProofMinerAsync(farm, id);
        Assert.True(before.ShareHours > 0);
        Assert.True(before.DeliveredTerahashHours > 0);
        Assert.Equal(0, before.SuspectHours);

        // Six ticks of readings whose counters are the miner's honest ones but whose hashrate says 1e30 H/s.
        for (int k = 0; k < 6; k++)
        {
            await AbsurdReadingAsync(farm, id);
        }

        ProofMinerView held = await ProofMinerAsync(farm, id);
        Assert.Equal(before.ShareHours, held.ShareHours, 12);
        Assert.Equal(before.DeliveredTerahashHours, held.DeliveredTerahashHours, 12);
        Assert.Equal(60.0 / 3600, held.SuspectHours, 9);

        // Plausible readings again: it stays suspect until the third (two more suspect ticks), then its share is service again.
        await farm.RunAsync(TimeSpan.FromSeconds(60), Tick);
        ProofMinerView cleared = await ProofMinerAsync(farm, id);
        Assert.Equal(80.0 / 3600, cleared.SuspectHours, 9);
        Assert.Equal(before.ShareHours + (40.0 / 3600), cleared.ShareHours, 9);
        Assert.True(cleared.DeliveredTerahashHours > held.DeliveredTerahashHours);
    }

    [Fact]
    public void The_allocator_keeps_a_held_miners_shares_without_counting_them_and_releases_them_after_the_hold()
    {
        var allocator = new Allocator();
        List<Miner> fleet = Fleet(racks: 3, perRack: 2);
        Contract[] contracts = [Contract("c1", 250)];
        AllocationPlan first = allocator.Solve(fleet, contracts, None);
        string id = first.Assignments.First(a => a.Value.Any(s => s.Assignee == "c1" && s.Fraction >= 1)).Key;
        List<Miner> suspect = fleet.With(
            m => m.Id == id,
            m => m with { MeasuredHashrate = Hashrate.Zero, SuspectReason = "average hashrate 1E+30 H/s is above the absolute ceiling", SuspectHeld = true, HeldHashrate = m.MeasuredHashrate });

        AllocationPlan held = allocator.Solve(suspect, contracts, first.Assignments);
        Assert.Empty(held.Moves);
        Assert.Equal(0, held.PoolSwitches);
        Assert.Equal(first.Assignments[id], held.Assignments[id]);
        Assert.Equal(first.Contracts[0].Allocated.TerahashesPerSecond - 100, held.Contracts[0].Allocated.TerahashesPerSecond, 6);

        AllocationPlan released = allocator.Solve(suspect.With(m => m.Id == id, m => m with { SuspectHeld = false }), contracts, first.Assignments);
        Assert.DoesNotContain(released.Assignments[id], s => s.Assignee == "c1");
        Assert.Contains(released.Moves, m => m.MinerId == id && m.Reason.Contains("is suspect", StringComparison.Ordinal));
        Assert.True(released.Contracts[0].IsCovered);
    }

    [Fact]
    public void SuspectHold_defaults_to_three_minutes_and_a_bad_value_names_its_key()
    {
        Assert.Equal(TimeSpan.FromMinutes(3), new ReadingEnvelopeOptions().SuspectHold);
        ReadingEnvelopeOptionsValidator.Validate(new ReadingEnvelopeOptions { SuspectHold = TimeSpan.Zero });
        foreach (TimeSpan bad in new[] { TimeSpan.FromSeconds(-1), TimeSpan.FromDays(2) })
        {
            ControllerConfigurationException e = Assert.Throws<ControllerConfigurationException>(() => ReadingEnvelopeOptionsValidator.Validate(new ReadingEnvelopeOptions { SuspectHold = bad }));
            Assert.Equal("Controller:Engine:Readings:SuspectHold", e.Setting);
            Assert.Contains("00:03:00 is the default", e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_miner_suspect_again_soon_after_clearing_counts_from_its_first_suspicion()
    {
        var options = new ReadingEnvelopeOptions { PlausibleReadingsToClear = 1, SuspectHold = TimeSpan.FromMinutes(3) };
        var suspects = new SuspectMiners(options);
        DateTimeOffset t0 = new(2026, 3, 1, 10, 0, 0, TimeSpan.Zero);
        var absurd = new CloudMining.Farm.Controller.Ingest.MinerLiveState { Site = "s1", MinerId = "m1", Rack = "r1", TelemetryAt = t0, HashrateAverageHs = 1e30, Hashrate5sHs = 1e30 };

        Assert.NotNull(suspects.Observe(absurd, t0));
        Assert.True(suspects.Held("m1", t0.AddMinutes(1)));
        Assert.Null(suspects.Observe(absurd with { TelemetryAt = t0.AddMinutes(1), HashrateAverageHs = 100e12, Hashrate5sHs = 100e12 }, t0.AddMinutes(1)));
        Assert.False(suspects.Held("m1", t0.AddMinutes(1)));

        // Flapping: suspect again a minute after clearing keeps counting from t0, so the hold ends at t0 + 3 min.
        Assert.NotNull(suspects.Observe(absurd with { TelemetryAt = t0.AddMinutes(2) }, t0.AddMinutes(2)));
        Assert.Equal(t0, suspects.SuspectSince("m1"));
        Assert.True(suspects.Held("m1", t0.AddMinutes(2.9)));
        Assert.False(suspects.Held("m1", t0.AddMinutes(3)));
    }

    /// <summary>A farm of 2 racks × 3 miners of 100 TH/s with contract c1 of 250 TH/s sold; the first miner c1 holds.</summary>
    private static async Task<(EngineFarm Farm, string MinerId)> SoldFarmAsync(TimeSpan? hold = null)
    {
        EngineFarm farm = (await EngineFarm.StartAsync(o =>
        {
            if (hold is { } h)
            {
                o.Readings.SuspectHold = h;
            }
        })).WithMiners(racks: 2, perRack: 3, th: 100);
        await farm.RunAsync(TimeSpan.FromSeconds(30), Tick);
        await farm.AddContractAsync("c1", 250);
        await farm.RunAsync(TimeSpan.FromMinutes(2), Tick);
        ContractView c1 = (await farm.Engine.GetContractAsync("c1", Ct))!;
        return (farm, c1.Shares.Select(s => s.MinerId).Order(StringComparer.Ordinal).First());
    }

    /// <summary>One tick in which every miner reports honestly except <paramref name="minerId"/>, whose reading (its own rack's) says 1e30 H/s.</summary>
    private static async Task AbsurdReadingAsync(EngineFarm farm, string minerId)
    {
        farm.Clock.Advance(Tick);
        await farm.ReportAsync(Tick);
        farm.Fleet.Apply(farm.Miners[minerId].Telemetry(EngineFarm.Site, farm.Clock.GetUtcNow(), 900_000) with { Hashrate5sHs = 1e30, HashrateAverageHs = 1e30 });
        await farm.Engine.TickAsync(Ct);
    }

    private static async Task<long?[]> DesiredGenerationsAsync(EngineFarm farm) =>
        [.. (await farm.Engine.GetFleetAsync(Ct)).Racks.OrderBy(r => r.Rack, StringComparer.Ordinal).Select(r => r.DesiredGeneration)];

    private static string[] Shares(ContractView c) =>
        [.. c.Shares.Select(s => $"{s.MinerId}:{s.Fraction:R}").Order(StringComparer.Ordinal)];

    private static async Task<ProofMinerView> ProofMinerAsync(EngineFarm farm, string minerId)
    {
        DateTimeOffset hour = new(2026, 3, 1, 10, 0, 0, TimeSpan.Zero);
        ContractProofView proof = await farm.Engine.GetContractProofAsync("c1", hour, hour.AddHours(1), Ct);
        return Assert.Single(Assert.Single(proof.Hours, h => h.Hour == hour).Miners, m => m.MinerId == minerId);
    }
}
