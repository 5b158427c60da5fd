using CloudMining.Farm.Shared.Firmware;
using CloudMining.Farm.Shared.MinerApi;
using CloudMining.Farm.Simulator;
using CloudMining.Farm.Tests.Infrastructure;
using CloudMining.Farm.Tests.Simulator;
using Xunit;

namespace CloudMining.Farm.Tests.Firmware;

/// <summary>The pool-change side of the action runner: the password reaches the miner and nothing it returns.</summary>
public sealed class ActionRunnerSecretTests
{
    private static readonly FirmwareProfileCatalog Catalog = FirmwareProfileCatalog.Load(RepoPaths.FirmwareProfiles);
    private static readonly ActionRunner Runner = new(new MinerApiClient(new MinerApiClientOptions { ConnectTimeout = TimeSpan.FromSeconds(2), ReadTimeout = TimeSpan.FromSeconds(2) }));

    private static FirmwareProfile Profile(string name) => Catalog.TryGet(name, out FirmwareProfile p) ? p : throw new InvalidOperationException(name);

    private static Dictionary<string, string> AddPool(string password) =>
        new() { ["url"] = "stratum+tcp://customer.example:3333", ["user"] = "cust.w1", ["password"] = password };

    [Fact]
    public async Task Add_pool_sends_the_profile_command_with_the_password_and_reports_success()
    {
        await using SimulatedFarm farm = await TestFarms.StartAsync("antminer", writeAccess: true);
        SimulatedMiner miner = farm.Miners[0];

        ActionResult result = await Runner.RunAsync(miner.Endpoint, Profile("antminer"), ProfileAction.AddPool, AddPool("Pw-77"), CancellationToken.None);

        Assert.Equal((ActionOutcome.Succeeded, 1), (result.Outcome, result.CommandsSent));
        Assert.Equal("Added pool 2: 'stratum+tcp://customer.example:3333'", Assert.Single(result.Messages));
        Assert.True(miner.HasPoolPassword("stratum+tcp://customer.example:3333", "cust.w1", "Pw-77"));
    }

    [Fact]
    public async Task A_password_the_miner_echoes_in_its_error_is_masked()
    {
        await using SimulatedFarm farm = await TestFarms.StartAsync("antminer", writeAccess: true);

        // cgminer splits addpool on commas and echoes the whole parameter when the count is wrong.
        ActionResult result = await Runner.RunAsync(farm.Miners[0].Endpoint, Profile("antminer"), ProfileAction.AddPool, AddPool("Se,cret-99"), CancellationToken.None);

        Assert.Equal(ActionOutcome.Failed, result.Outcome);
        Assert.Equal(MinerApiErrorKind.CommandError, result.Error!.Kind);
        Assert.Contains("Invalid addpool details", result.Error.Message, StringComparison.Ordinal);
        Assert.Contains(ActionRunner.Mask, result.Error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Se,cret-99", result.Error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("Se,cret-99", result.Error.StatusMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_read_only_profile_sends_nothing()
    {
        await using SimulatedFarm farm = await TestFarms.StartAsync("whatsminer");

        ActionResult result = await Runner.RunAsync(farm.Miners[0].Endpoint, Profile("whatsminer"), ProfileAction.AddPool, AddPool("x"), CancellationToken.None);

        Assert.Equal((ActionOutcome.NotSupported, 0), (result.Outcome, result.CommandsSent));
        Assert.Equal(0, farm.Miners[0].WriteCommandsReceived);
    }
}
