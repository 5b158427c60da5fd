using System.Text.Json;
using CloudMining.Farm.ControlApi;
using CloudMining.Farm.Controller.Contracts;
using CloudMining.Farm.Controller.PoolSide;
using CloudMining.Farm.Controller.Settlement;
using CloudMining.Farm.Tests.Controller.Engine;
using Xunit;

namespace CloudMining.Farm.Tests.Controller.Settlement;

/// <summary>A contract carrying a pool key and settlement terms, through the engine's operations and its tick.</summary>
public sealed class ContractSettlementEngineTests
{
    private const string Key = "tok-SECRET-5b7e21a9";

    [Fact]
    public async Task A_contract_carries_its_pool_key_hidden_and_its_days_are_settled_under_its_terms()
    {
        await using EngineFarm farm = await EngineFarm.StartAsync();
        farm.WithMiners(1, 2, 100);
        await farm.RunAsync(TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30));
        DateTimeOffset now = farm.Clock.GetUtcNow();
        var request = new NewContractRequest(
            "c1", "bob", "100 TH/s", "stratum+tcp://p.example:3333", "bob.1", now, null, 30, 0.05m, true,
            PoolWatch: new PoolWatchRequest("braiins", "https://pool.braiins.com/", Key),
            Settlement: new SettlementTermsRequest(5, "credit", 0.002m));

        ContractView added = await farm.Engine.AddContractAsync(request, CancellationToken.None);

        PoolWatch watch = (await farm.Store.GetPoolWatchesAsync(CancellationToken.None))["c1"];
        Assert.Equal((PoolApiKind.Braiins, "bob", "bob.1"), (watch.Kind, watch.Account, watch.Worker));
        Assert.DoesNotContain(Key, JsonSerializer.Serialize(added, ApiJsonContext.Default.ContractView), StringComparison.Ordinal);
        Assert.DoesNotContain(Key, request.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(Key, watch.ToString(), StringComparison.Ordinal);

        await farm.RunAsync(TimeSpan.FromHours(50), TimeSpan.FromMinutes(5));

        IReadOnlyList<ContractSettlement> settled = await farm.Store.GetSettlementsAsync("c1", DateTimeOffset.UnixEpoch, DateTimeOffset.MaxValue, CancellationToken.None);
        Assert.True(settled.Count >= 2, $"{settled.Count} period(s) settled");
        Assert.All(settled, s => Assert.Equal(MakeGoodKind.Credit, s.MakeGood));
        Assert.Equal(Enumerable.Range(0, settled.Count - 1).Select(i => settled[i].PeriodEnd), settled.Skip(1).Select(s => s.PeriodStart));
        ContractSettlement fullDay = settled[1];
        Assert.Equal(TimeSpan.FromDays(1), fullDay.PeriodEnd - fullDay.PeriodStart);
        Assert.Equal(2400, fullDay.TargetTerahashHours, 1e-6);
    }

    [Fact]
    public async Task A_pool_key_for_an_unknown_pool_api_is_refused_naming_the_field_and_nothing_is_stored()
    {
        await using EngineFarm farm = await EngineFarm.StartAsync();
        farm.WithMiners(1, 2, 100);
        await farm.RunAsync(TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30));
        var request = new NewContractRequest(
            "c2", "bob", "100 TH/s", "stratum+tcp://p.example:3333", "bob.2", farm.Clock.GetUtcNow(), null, 30, 0.05m, true,
            PoolWatch: new PoolWatchRequest("slushpool", "https://pool.example/", Key));

        ContractValidationException refused = await Assert.ThrowsAsync<ContractValidationException>(() => farm.Engine.AddContractAsync(request, CancellationToken.None));

        Assert.Equal("poolWatch.kind", refused.Field);
        Assert.DoesNotContain(Key, refused.Message, StringComparison.Ordinal);
        Assert.Empty(await farm.Store.GetContractsAsync(CancellationToken.None));
        Assert.Empty(await farm.Store.GetPoolWatchesAsync(CancellationToken.None));
    }
}
