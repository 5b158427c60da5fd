using System.Text.Json.Nodes;
using CloudMining.Farm.ControlApi;
using CloudMining.Farm.Controller.Contracts;
using Xunit;

namespace CloudMining.Farm.Tests.EndToEnd;

/// <summary>
/// The farm of <see cref="CurtailmentEndToEndTests"/>: strike 80/MWh, hysteresis 10, no minimum times, restore waves of
/// 8 kW every 4 s; one protected contract (about 30 % of the free units) and one curtailable one (about 20 %, 6 h a day).
/// </summary>
public sealed class CurtailmentFarmFixture : IAsyncLifetime
{
    public EndToEndFarm Farm { get; private set; } = null!;

    public PoolAccount ProtPool { get; } = PoolAccount.Create("stratum+tcp://pool-prot.e2e:3333", "prot.farm1");

    public async Task InitializeAsync()
    {
        Farm = await EndToEndFarm.StartAsync(controllerConfig: c => c["Curtailment"] = new JsonObject
        {
            ["Strike"] = 80,
            ["Hysteresis"] = 10,
            ["MinRunning"] = "00:00:00",
            ["MinCurtailed"] = "00:00:00",
            ["RestoreWaveKw"] = 8,
            ["RestoreInterval"] = "00:00:04",
        });
        CapacityView capacity = await ContractedFarmFixture.WaitForCapacityAsync(Farm);
        double unitTh = capacity.UnitSizeHs / 1e12;
        long free = capacity.UnitsFree;
        await Farm.Ops.AddContractAsync(new NewContractRequest("e2e-prot", "cust-prot", $"{Math.Max(1, (long)(free * 0.3)) * unitTh} TH/s", ProtPool.Url, ProtPool.Worker, null, DateTimeOffset.UtcNow.AddDays(30), null, 0.05m, true), CancellationToken.None);
        await Farm.Ops.AddContractAsync(new NewContractRequest("e2e-curt", "cust-curt", $"{Math.Max(1, (long)(free * 0.2)) * unitTh} TH/s", "stratum+tcp://pool-curt.e2e:3333", "curt.farm1", null, DateTimeOffset.UtcNow.AddDays(30), null, 0.05m, true, 6, "day"), CancellationToken.None);
        Assert.True(await Farm.AllRacksAppliedAsync(ContractedFarmFixture.Converge), "the agents did not apply the allocation: " + await ContractedFarmFixture.FleetTextAsync(Farm));
    }

    public async Task DisposeAsync() => await Farm.DisposeAsync();
}
