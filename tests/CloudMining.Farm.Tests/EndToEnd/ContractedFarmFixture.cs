using CloudMining.Farm.ControlApi;
using CloudMining.Farm.Controller.Operations;
using CloudMining.Farm.Tests.Infrastructure;
using Xunit;

namespace CloudMining.Farm.Tests.EndToEnd;

/// <summary>
/// One <see cref="EndToEndFarm"/> shared by the read-mostly end-to-end tests: capacity measured, three contracts sold
/// (about 35 % and 20 % of the free units, and one 50 TH/s contract smaller than any miner, which needs a quota
/// share), the rest on the house pool, every rack at the latest desired generation.
/// </summary>
public sealed class ContractedFarmFixture : IAsyncLifetime
{
    public static readonly TimeSpan Converge = TimeSpan.FromSeconds(30);

    public EndToEndFarm Farm { get; private set; } = null!;

    public IReadOnlyList<(string Id, string PoolUrl, string Worker, double TargetHs)> Contracts { get; private set; } = [];

    public async Task InitializeAsync()
    {
        Farm = await EndToEndFarm.StartAsync();
        CapacityView capacity = await WaitForCapacityAsync(Farm);
        long free = capacity.UnitsFree;
        double unitTh = capacity.UnitSizeHs / 1e12;
        var specs = new List<(string, string, string, double)>
        {
            ("e2e-big", "stratum+tcp://pool-a.e2e:3333", "alice.farm1", Math.Max(1, (long)(free * 0.35)) * unitTh),
            ("e2e-mid", "stratum+ssl://pool-b.e2e:4443", "bob.rig", Math.Max(1, (long)(free * 0.20)) * unitTh),
            ("e2e-small", "stratum+tcp://pool-c.e2e:3333", "carol.cloud", 5 * unitTh),
        };
        foreach ((string id, string url, string worker, double th) in specs)
        {
            await Farm.Ops.AddContractAsync(new NewContractRequest(id, "cust-" + id, $"{th} TH/s", url, worker, null, DateTimeOffset.UtcNow.AddDays(30), null, 0.05m, true), CancellationToken.None);
        }

        Contracts = specs.Select(s => (s.Item1, s.Item2, s.Item3, s.Item4 * 1e12)).ToList();
        Assert.True(await Farm.AllRacksAppliedAsync(Converge), "the agents did not apply the allocation with the three contracts: " + await FleetTextAsync(Farm));
    }

    public async Task DisposeAsync() => await Farm.DisposeAsync();

    /// <summary>Waits until the controller counts every writable miner healthy (sellable) and two readings a few ticks apart agree.</summary>
    public static async Task<CapacityView> WaitForCapacityAsync(EndToEndFarm farm)
    {
        CapacityView? last = null;
        Assert.True(
            await Eventually.TrueAsync(async () =>
            {
                CapacityView now = await farm.Ops.GetCapacityAsync(CancellationToken.None);
                bool steady = now.MinersTotal == EndToEndFarm.Racks * EndToEndFarm.MinersPerRack && now.MinersHealthy == farm.WritableMiners && now.UnitsFree > 0 && last is not null && last.UnitsTotal == now.UnitsTotal;
                last = now;
                return steady;
            }, Converge, TimeSpan.FromSeconds(1)),
            $"capacity never settled with every miner healthy: {last}; not enforceable: {string.Join("; ", (await farm.Ops.GetFleetAsync(CancellationToken.None)).Miners.Where(m => m.NotEnforceable is not null).Select(m => $"{m.MinerId} ({m.Profile}): {m.NotEnforceable}"))}");
        return last!;
    }

    public static async Task<string> FleetTextAsync(EndToEndFarm farm)
    {
        FleetView fleet = await farm.Ops.GetFleetAsync(CancellationToken.None);
        return string.Join("; ", fleet.Racks.Select(r => $"{r.Rack} online={r.AgentOnline} hashing={r.MinersHashing}/{r.MinersTotal} desired={r.DesiredGeneration} applied={r.AppliedGeneration} lagging={r.Lagging}"));
    }
}
