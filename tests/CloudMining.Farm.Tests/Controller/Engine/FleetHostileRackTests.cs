using CloudMining.Farm.ControlApi;
using CloudMining.Farm.Controller.Proof;
using CloudMining.Farm.Shared.Wire;
using Microsoft.Extensions.Logging;
using Xunit;

namespace CloudMining.Farm.Tests.Controller.Engine;

/// <summary>What a hostile rack's agent can and cannot do to the fleet view and the log (probe findings of issue 13).</summary>
public sealed class FleetHostileRackTests
{
    [Fact]
    public async Task A_racks_claim_of_another_racks_miner_is_left_out_of_its_row_and_the_totals()
    {
        await using EngineFarm farm = (await EngineFarm.StartAsync()).WithMiners(racks: 2, perRack: 3, th: 100);
        await farm.RunAsync(TimeSpan.FromSeconds(30));

        // r1's agent claims r2's miner (spoofed), hashing, with the agent saying it has 4 miners configured.
        farm.Fleet.Apply(new AgentStatusPayload { Publisher = "agent-s1-r1", Seq = 9000, Timestamp = farm.Clock.GetUtcNow(), Site = EngineFarm.Site, Rack = "r1", State = AgentState.Online, MinersConfigured = 4 });
        farm.Fleet.Apply(farm.Miners["r2-m01"].Telemetry(EngineFarm.Site, farm.Clock.GetUtcNow(), 9001) with { Rack = "r1", Publisher = "agent-s1-r1" });
        await farm.Engine.TickAsync(CancellationToken.None);

        FleetView fleet = await farm.Engine.GetFleetAsync(CancellationToken.None);
        ConflictView conflict = Assert.Single(fleet.Conflicts);
        Assert.Equal(("r2-m01", "r2", "r1"), (conflict.MinerId, conflict.OwnerRack, conflict.ClaimingRack));
        RackView r1 = fleet.Racks.Single(r => r.Rack == "r1");
        RackView r2 = fleet.Racks.Single(r => r.Rack == "r2");
        Assert.Equal((3, 3, 300e12), (r1.MinersTotal, r1.MinersHashing, r1.HashrateHs));
        Assert.Equal((3, 3, 300e12), (r2.MinersTotal, r2.MinersHashing, r2.HashrateHs));
        Assert.Equal(6, fleet.Racks.Sum(r => r.MinersTotal));
        Assert.Equal(6, fleet.Racks.Sum(r => r.MinersHashing));
        Assert.Equal(600e12, (await farm.Engine.GetCapacityAsync(CancellationToken.None)).MeasuredHealthyHs);

        // The claim is still listed for the operator, marked as such; the real miner is not.
        Assert.True(Assert.Single(fleet.Miners, m => m.MinerId == "r2-m01" && m.Rack == "r1").ForeignClaim);
        Assert.False(Assert.Single(fleet.Miners, m => m.MinerId == "r2-m01" && m.Rack == "r2").ForeignClaim);
        Assert.Equal(6, fleet.Miners.Count(m => !m.ForeignClaim));
    }

    [Fact]
    public async Task An_absurd_counter_jump_is_logged_naming_rack_miner_field_value_and_limit_at_most_once_per_miner_per_interval()
    {
        await using EngineFarm farm = (await EngineFarm.StartAsync()).WithMiners(racks: 1, perRack: 2, th: 100);
        await farm.RunAsync(TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(10));
        await farm.AddContractAsync("c1", 100);
        await farm.RunAsync(TimeSpan.FromMinutes(2), TimeSpan.FromSeconds(10));
        MinerTelemetryPayload honest = farm.Miners["r1-m01"].Telemetry(EngineFarm.Site, farm.Clock.GetUtcNow(), 0);
        Assert.NotEmpty(honest.Pools);

        // Fifty readings in a row whose accepted difficulty jumps as if the miner hashed about 1e30 H/s.
        for (int i = 1; i <= 50; i++)
        {
            farm.Clock.Advance(TimeSpan.FromSeconds(10));
            farm.Fleet.Apply(honest with
            {
                Seq = 10_000 + i,
                Timestamp = farm.Clock.GetUtcNow(),
                Pools = [honest.Pools[0] with { DifficultyAccepted = i * 2.5e21 }],
            });
            await farm.Engine.TickAsync(CancellationToken.None);
        }

        string[] lines = Lines(farm);
        string line = Assert.Single(lines);
        Assert.Contains("Miner r1-m01 on rack r1", line, StringComparison.Ordinal);
        Assert.Contains($"pools[{honest.Pools[0].Index}].difficultyAccepted 2.5E+21 jumped as if it hashed 1.07E+30 H/s", line, StringComparison.Ordinal);
        Assert.Contains("limit of 1E+18 H/s", line, StringComparison.Ordinal);
        Assert.Contains("not credited", line, StringComparison.Ordinal);

        // After the interval, one more line that says how many were held back.
        farm.Clock.Advance(DeliveryProof.ImplausibleLogInterval);
        farm.Fleet.Apply(honest with { Seq = 20_000, Timestamp = farm.Clock.GetUtcNow(), Pools = [honest.Pools[0] with { DifficultyAccepted = 9e23 }] });
        await farm.Engine.TickAsync(CancellationToken.None);
        lines = Lines(farm);
        Assert.Equal(2, lines.Length);
        Assert.Contains("(49 such line(s) held back", lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_hashrate_of_1e30_is_logged_naming_rack_miner_value_and_limit()
    {
        await using EngineFarm farm = (await EngineFarm.StartAsync()).WithMiners(racks: 1, perRack: 2, th: 100);
        await farm.RunAsync(TimeSpan.FromSeconds(30));

        farm.Fleet.Apply(farm.Miners["r1-m02"].Telemetry(EngineFarm.Site, farm.Clock.GetUtcNow(), 9000) with { Hashrate5sHs = 1e30, HashrateAverageHs = 1e30 });
        await farm.Engine.TickAsync(CancellationToken.None);

        string line = Assert.Single(farm.Log.Records.Where(r => r.Level == LogLevel.Warning && r.Message.Contains("r1-m02", StringComparison.Ordinal)).Select(r => r.Message));
        Assert.Contains("rack r1", line, StringComparison.Ordinal);
        Assert.Contains("hashrate", line, StringComparison.Ordinal);
        Assert.Contains("ceiling", line, StringComparison.Ordinal);
        Assert.Equal(100e12, (await farm.Engine.GetCapacityAsync(CancellationToken.None)).MeasuredHealthyHs);
    }

    private static string[] Lines(EngineFarm farm) =>
        [.. farm.Log.Records.Where(r => r.Level == LogLevel.Warning && r.Message.Contains("difficultyAccepted", StringComparison.Ordinal)).Select(r => r.Message)];
}
