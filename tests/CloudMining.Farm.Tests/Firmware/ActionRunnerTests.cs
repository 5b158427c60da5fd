using CloudMining.Farm.Shared.Firmware;
using CloudMining.Farm.Shared.MinerApi;
using CloudMining.Farm.Simulator;
using CloudMining.Farm.Simulator.Mining;
using CloudMining.Farm.Tests.Infrastructure;
using CloudMining.Farm.Tests.Simulator;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace CloudMining.Farm.Tests.Firmware;

public sealed class ActionRunnerTests
{
    private static readonly FirmwareProfileCatalog Catalog = FirmwareProfileCatalog.Load(RepoPaths.FirmwareProfiles);

    private static ActionRunner Runner() => new(new MinerApiClient(new MinerApiClientOptions { ConnectTimeout = TimeSpan.FromSeconds(2), ReadTimeout = TimeSpan.FromSeconds(2) }));

    private static readonly Dictionary<string, string> NoValues = [];

    private static FirmwareProfile Profile(string name) => Catalog.TryGet(name, out FirmwareProfile p) ? p : throw new InvalidOperationException(name);

    [Fact]
    public async Task Restart_action_restarts_the_miner()
    {
        var clock = new FakeTimeProvider();
        await using SimulatedFarm farm = await TestFarms.StartAsync("antminer", clock: clock, writeAccess: true);
        SimulatedMiner miner = farm.Miners[0];

        ActionResult result = await Runner().RunAsync(miner.Endpoint, Profile("antminer"), ProfileAction.Restart, NoValues, CancellationToken.None);

        Assert.True(result.Succeeded, result.Error?.ToString());
        Assert.Equal(1, result.CommandsSent);
        Assert.True(await Eventually.TrueAsync(() => miner.PowerState == MinerPowerState.Booting, TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task Session_step_logs_on_and_fills_the_session_placeholder()
    {
        var clock = new FakeTimeProvider();
        await using SimulatedFarm farm = await TestFarms.StartAsync("luxos", clock: clock, writeAccess: true);
        SimulatedMiner miner = farm.Miners[0];

        ActionResult result = await Runner().RunAsync(miner.Endpoint, Profile("luxos"), ProfileAction.Restart, NoValues, CancellationToken.None);

        Assert.True(result.Succeeded, result.Error?.ToString());
        Assert.Equal("Resetting miner", Assert.Single(result.Messages));
        Assert.True(await Eventually.TrueAsync(() => miner.PowerState == MinerPowerState.Booting, TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task Refused_command_is_an_access_denied_result_not_an_exception()
    {
        await using SimulatedFarm farm = await TestFarms.StartAsync("antminer", writeAccess: false);

        ActionResult result = await Runner().RunAsync(farm.Miners[0].Endpoint, Profile("antminer"), ProfileAction.SwitchPool,
            new Dictionary<string, string> { ["index"] = "1" }, CancellationToken.None);

        Assert.Equal(ActionOutcome.Failed, result.Outcome);
        Assert.Equal(MinerApiErrorKind.AccessDenied, result.Error?.Kind);
        Assert.Empty(result.Messages);
        Assert.Equal(MinerPowerState.Running, farm.Miners[0].PowerState);
    }

    [Fact]
    public async Task Action_the_profile_lacks_is_not_supported_and_sends_nothing()
    {
        await using SimulatedFarm farm = await TestFarms.StartAsync("antminer", writeAccess: true);
        long before = farm.Miners[0].RequestsReceived;

        ActionResult result = await Runner().RunAsync(farm.Miners[0].Endpoint, Profile("luxos"), ProfileAction.SetQuota,
            new Dictionary<string, string> { ["index"] = "1", ["quota"] = "5" }, CancellationToken.None);

        Assert.Equal(ActionOutcome.NotSupported, result.Outcome);
        Assert.Equal(before, farm.Miners[0].RequestsReceived);
    }

    [Fact]
    public async Task Unreachable_miner_is_an_unreachable_result()
    {
        await using SimulatedFarm farm = await TestFarms.StartAsync("antminer", writeAccess: true);
        farm.Miners[0].SetPower(false);

        ActionResult result = await Runner().RunAsync(farm.Miners[0].Endpoint, Profile("antminer"), ProfileAction.Restart, NoValues, CancellationToken.None);

        Assert.Equal(MinerApiErrorKind.Unreachable, result.Error?.Kind);
    }
}
