using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using CloudMining.Farm.ControlApi;
using CloudMining.Farm.Controller.Api;
using CloudMining.Farm.Controller.Operations;
using CloudMining.Farm.Controller.Store;
using CloudMining.Farm.Shared.Wire;
using Xunit;

namespace CloudMining.Farm.Tests.Controller.Api;

/// <summary>Every local API endpoint through a real Kestrel on loopback: JSON round trips and problem+json failures.</summary>
public sealed class LocalApiTests : IAsyncLifetime
{
    private static readonly ApiJsonContext Json = ApiJsonContext.Default;
    private TestApi _api = null!;

    public async Task InitializeAsync() => _api = await TestApi.StartAsync();

    public async Task DisposeAsync() => await _api.DisposeAsync();

    internal static NewContractRequest Request(string id, string hashrate = "100 TH/s", string poolUrl = "stratum+tcp://pool.example.com:3333") =>
        new(id, "customer-" + id, hashrate, poolUrl, "acct." + id, null, TestApi.Now.AddDays(30), null, 0.05m, true);

    private async Task<HttpResponseMessage> AddAsync(NewContractRequest request) =>
        await _api.Http.PostAsJsonAsync("/v1/contracts", request, Json.NewContractRequest);

    private static async Task<ProblemDocument> ProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal(ProblemDocument.MediaType, response.Content.Headers.ContentType?.MediaType);
        ProblemDocument? problem = await response.Content.ReadFromJsonAsync(Json.ProblemDocument);
        Assert.NotNull(problem);
        Assert.Equal((int)status, problem.Status);
        return problem;
    }

    [Fact]
    public async Task Fleet_lists_every_rack_and_miner()
    {
        FleetView? fleet = await _api.Http.GetFromJsonAsync("/v1/fleet", Json.FleetView);
        Assert.NotNull(fleet);
        Assert.Equal(["r1", "r2", "r3"], fleet.Racks.Select(r => r.Rack));
        Assert.All(fleet.Racks, r => Assert.Equal(4, r.MinersTotal));
        Assert.Equal(12, fleet.Miners.Count);
        Assert.Equal(400e12, fleet.Racks[0].HashrateHs, 1);
    }

    [Fact]
    public async Task Miner_is_shown_and_an_unknown_one_is_404_saying_how_to_list_them()
    {
        MinerView? miner = await _api.Http.GetFromJsonAsync("/v1/miners/r2-m03", Json.MinerView);
        Assert.Equal("r2", miner?.Rack);
        ProblemDocument problem = await ProblemAsync(await _api.Http.GetAsync("/v1/miners/nope"), HttpStatusCode.NotFound);
        Assert.Contains("'nope'", problem.Detail, StringComparison.Ordinal);
        Assert.Contains("farmctl fleet", problem.Detail, StringComparison.Ordinal);
        Assert.Equal("/v1/miners/nope", problem.Instance);
    }

    [Fact]
    public async Task Capacity_is_measured_hashrate_minus_reserve_in_units()
    {
        CapacityView? capacity = await _api.Http.GetFromJsonAsync("/v1/capacity", Json.CapacityView);
        Assert.NotNull(capacity);
        Assert.Equal(1200e12, capacity.MeasuredHealthyHs, 1);
        Assert.Equal(114, capacity.UnitsTotal);
        Assert.Equal(114, capacity.UnitsFree);
        Assert.Equal(0, capacity.UnitsSold);
    }

    [Fact]
    public async Task Contract_is_added_listed_shown_allocated_and_ended()
    {
        HttpResponseMessage added = await AddAsync(Request("c1"));
        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        ContractView? view = await added.Content.ReadFromJsonAsync(Json.ContractView);
        Assert.Equal(100e12, view?.TargetHs);

        IReadOnlyList<ContractView>? list = await _api.Http.GetFromJsonAsync("/v1/contracts", Json.IReadOnlyListContractView);
        Assert.Equal(["c1"], list?.Select(c => c.Id));
        ContractView? shown = await _api.Http.GetFromJsonAsync("/v1/contracts/c1", Json.ContractView);
        Assert.Equal("stratum+tcp://pool.example.com:3333", shown?.PoolUrl);
        Assert.Equal(100e12, shown!.AllocatedHs, 1);
        Assert.Single(shown.Shares);

        AllocationView? allocation = await _api.Http.GetFromJsonAsync("/v1/allocation", Json.AllocationView);
        Assert.Equal(100e12, allocation!.Contracts.Single().AllocatedHs, 1);
        Assert.Equal(1100e12, allocation.HouseHashrateHs, 1);

        CapacityView? capacity = await _api.Http.GetFromJsonAsync("/v1/capacity", Json.CapacityView);
        Assert.Equal(10, capacity?.UnitsSold);

        HttpResponseMessage end = await _api.Http.PostAsync("/v1/contracts/c1/end", null);
        Assert.Equal(HttpStatusCode.OK, end.StatusCode);
        Assert.Equal(ContractStatus.Ended, (await end.Content.ReadFromJsonAsync(Json.ContractView))?.Status);
        ProblemDocument again = await ProblemAsync(await _api.Http.PostAsync("/v1/contracts/c1/end", null), HttpStatusCode.Conflict);
        Assert.Contains("already ended", again.Detail, StringComparison.Ordinal);
        await ProblemAsync(await _api.Http.GetAsync("/v1/contracts/zzz"), HttpStatusCode.NotFound);
        await ProblemAsync(await _api.Http.PostAsync("/v1/contracts/zzz/end", null), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Invalid_contract_is_400_naming_the_field()
    {
        ProblemDocument problem = await ProblemAsync(await AddAsync(Request("c2", poolUrl: "http://pool.example.com")), HttpStatusCode.BadRequest);
        Assert.Equal("pool.url", problem.Field);
        Assert.Contains("stratum+tcp://", problem.Detail, StringComparison.Ordinal);

        problem = await ProblemAsync(await AddAsync(Request("c2", hashrate: "lots")), HttpStatusCode.BadRequest);
        Assert.Equal("hashrate", problem.Field);

        // A mistyped field is reported with its JSON path, not as a 500.
        using var content = new StringContent("""{"id":"c3","maintenancePerTerahashDay":"cheap"}""", Encoding.UTF8, "application/json");
        problem = await ProblemAsync(await _api.Http.PostAsync("/v1/contracts", content), HttpStatusCode.BadRequest);
        Assert.Equal("maintenancePerTerahashDay", problem.Field);

        IReadOnlyList<ContractView>? list = await _api.Http.GetFromJsonAsync("/v1/contracts", Json.IReadOnlyListContractView);
        Assert.Empty(list!);
    }

    [Fact]
    public async Task Contract_beyond_capacity_is_409_saying_how_much_is_free()
    {
        Assert.Equal(HttpStatusCode.Created, (await AddAsync(Request("big", "1000 TH/s"))).StatusCode);
        ProblemDocument problem = await ProblemAsync(await AddAsync(Request("more", "200 TH/s")), HttpStatusCode.Conflict);
        Assert.Equal(14, problem.UnitsFree);
        Assert.Equal(20, problem.UnitsRequested);
        Assert.Equal(140e12, problem.FreeHs!.Value, 1);
        Assert.Contains("only 14 unit(s)", problem.Detail, StringComparison.Ordinal);
        Assert.Contains("140", problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Duplicate_contract_is_409()
    {
        Assert.Equal(HttpStatusCode.Created, (await AddAsync(Request("dup"))).StatusCode);
        ProblemDocument problem = await ProblemAsync(await AddAsync(Request("dup")), HttpStatusCode.Conflict);
        Assert.Contains("already exists", problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rebalance_dry_run_changes_nothing_and_apply_does()
    {
        await AddAsync(Request("c1", "150 TH/s"));
        await _api.Http.PostAsync("/v1/miners/" + (await _api.Http.GetFromJsonAsync("/v1/contracts/c1", Json.ContractView))!.Shares[0].MinerId + "/drain", null);
        AllocationView? before = await _api.Http.GetFromJsonAsync("/v1/allocation", Json.AllocationView);

        HttpResponseMessage dry = await _api.Http.PostAsync("/v1/rebalance", null);
        RebalanceView? plan = await dry.Content.ReadFromJsonAsync(Json.RebalanceView);
        Assert.False(plan!.Applied);
        AllocationView? after = await _api.Http.GetFromJsonAsync("/v1/allocation", Json.AllocationView);
        Assert.Equal(before!.Version, after!.Version);

        RebalanceView? applied = await (await _api.Http.PostAsync("/v1/rebalance?apply=true", null)).Content.ReadFromJsonAsync(Json.RebalanceView);
        Assert.True(applied!.Applied);
        Assert.True((await _api.Http.GetFromJsonAsync("/v1/allocation", Json.AllocationView))!.Version > before.Version);

        ProblemDocument problem = await ProblemAsync(await _api.Http.PostAsync("/v1/rebalance?apply=maybe", null), HttpStatusCode.BadRequest);
        Assert.Equal("apply", problem.Field);
    }

    [Fact]
    public async Task Drain_and_undrain_flip_the_miner_and_refuse_unknown_or_repeated_requests()
    {
        MinerView? drained = await (await _api.Http.PostAsync("/v1/miners/r1-m01/drain", null)).Content.ReadFromJsonAsync(Json.MinerView);
        Assert.True(drained!.Drained);
        CapacityView? capacity = await _api.Http.GetFromJsonAsync("/v1/capacity", Json.CapacityView);
        Assert.Equal(11, capacity!.MinersHealthy);
        Assert.Equal(104, capacity.UnitsTotal); // 1,100 TH/s less the 5 % reserve, in 10 TH/s units
        await ProblemAsync(await _api.Http.PostAsync("/v1/miners/r1-m01/drain", null), HttpStatusCode.Conflict);
        MinerView? back = await (await _api.Http.PostAsync("/v1/miners/r1-m01/undrain", null)).Content.ReadFromJsonAsync(Json.MinerView);
        Assert.False(back!.Drained);
        await ProblemAsync(await _api.Http.PostAsync("/v1/miners/ghost/drain", null), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Ledger_is_filtered_by_contract_and_half_open_hour_range()
    {
        DateTimeOffset h = new(2026, 11, 20, 0, 0, 0, TimeSpan.Zero);
        _api.Operations.AddLedger(
            new LedgerEntry("a", h, 100, 98.5, 1.5, 3.2, 0.21m, 0.33m),
            new LedgerEntry("a", h.AddHours(1), 100, 100.2, 0, 3.25, 0.21m, 0.34m),
            new LedgerEntry("b", h, 50, 50, 0, 1.6, 0.1m, 0.17m));

        IReadOnlyList<LedgerEntry>? all = await _api.Http.GetFromJsonAsync("/v1/ledger", Json.IReadOnlyListLedgerEntry);
        Assert.Equal(3, all!.Count);
        IReadOnlyList<LedgerEntry>? a = await _api.Http.GetFromJsonAsync("/v1/ledger?contract=a&from=2026-11-20T01:00:00Z&to=2026-11-20T02:00:00Z", Json.IReadOnlyListLedgerEntry);
        LedgerEntry row = Assert.Single(a!);
        Assert.Equal(h.AddHours(1), row.Hour);
        Assert.Equal(100.2, row.DeliveredTerahashHours);
        Assert.Equal(0.34m, row.ElectricityCost);

        ProblemDocument problem = await ProblemAsync(await _api.Http.GetAsync("/v1/ledger?from=yesterday"), HttpStatusCode.BadRequest);
        Assert.Equal("from", problem.Field);
        problem = await ProblemAsync(await _api.Http.GetAsync("/v1/ledger?from=2026-11-20&to=2026-11-19"), HttpStatusCode.BadRequest);
        Assert.Equal("to", problem.Field);
    }

    [Fact]
    public async Task Payloads_are_camel_case_json()
    {
        using JsonDocument doc = JsonDocument.Parse(await _api.Http.GetStringAsync("/v1/capacity"));
        Assert.True(doc.RootElement.TryGetProperty("unitsFree", out _));
        Assert.True(doc.RootElement.TryGetProperty("measuredHealthyHs", out _));
    }
}
