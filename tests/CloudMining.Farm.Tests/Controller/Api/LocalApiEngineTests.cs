using System.Net;
using System.Net.Http.Json;
using CloudMining.Farm.ControlApi;
using CloudMining.Farm.Controller.Api;
using CloudMining.Farm.Controller.Operations;
using CloudMining.Farm.Controller.Store;
using CloudMining.Farm.Ctl.Ledger;
using CloudMining.Farm.Tests.Controller.Ctl;
using CloudMining.Farm.Tests.Controller.Engine;
using CloudMining.Farm.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace CloudMining.Farm.Tests.Controller.Api;

/// <summary>The local API and farmctl over the real controller engine (SQLite store, allocator, proof, ledger) on a synthetic farm.</summary>
public sealed class LocalApiEngineTests : IAsyncLifetime, IDisposable
{
    private static readonly ApiJsonContext Json = ApiJsonContext.Default;
    private EngineFarm _farm = null!;
    private LocalApiServer _server = null!;
    private HttpClient _http = null!;
    private readonly string _tokenDir = Directory.CreateTempSubdirectory("local-api-engine-").FullName;

    private string tokenFile => Path.Combine(_tokenDir, LocalApiToken.DefaultFileName);

    public async Task InitializeAsync()
    {
        _farm = (await EngineFarm.StartAsync()).WithMiners(racks: 3, perRack: 4, th: 100);
        await _farm.RunAsync(TimeSpan.FromSeconds(30));
        _server = await LocalApiServer.StartAsync(_farm.Engine, new LocalApiOptions { Url = $"http://127.0.0.1:{FreeTcpPort.Next()}", TokenFile = tokenFile }, NullLoggerFactory.Instance, _farm.Clock, CancellationToken.None);
        _http = OperatorHttpHandler.Client(_server.Address, tokenFile);
    }

    public void Dispose()
    {
        _http.Dispose();
        Directory.Delete(_tokenDir, recursive: true);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _farm.DisposeAsync();
    }

    private string Url => _server.Address.ToString().TrimEnd('/');

    private Task<HttpResponseMessage> AddAsync(string id, string hashrate) =>
        _http.PostAsJsonAsync("/v1/contracts", new NewContractRequest(id, "cust-" + id, hashrate, "stratum+tcp://customer.pool.example:3333", "acct." + id, null, _farm.Clock.GetUtcNow().AddDays(30), null, 0.05m, true), Json.NewContractRequest);

    [Fact]
    public async Task Every_endpoint_round_trips_over_the_engine()
    {
        FleetView? fleet = await _http.GetFromJsonAsync("/v1/fleet", Json.FleetView);
        Assert.Equal(3, fleet!.Racks.Count);
        Assert.Equal(12, fleet.Miners.Count);
        Assert.Equal("r1", (await _http.GetFromJsonAsync("/v1/miners/r1-m01", Json.MinerView))!.Rack);
        CapacityView? capacity = await _http.GetFromJsonAsync("/v1/capacity", Json.CapacityView);
        Assert.Equal(120, capacity!.UnitsFree);

        HttpResponseMessage added = await AddAsync("c1", "250 TH/s");
        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        Assert.Equal(["c1"], (await _http.GetFromJsonAsync("/v1/contracts", Json.IReadOnlyListContractView))!.Select(c => c.Id));
        ContractView? c1 = await _http.GetFromJsonAsync("/v1/contracts/c1", Json.ContractView);
        // Whole 100 TH/s miners without quota support: the engine covers 250 TH/s with three of them.
        Assert.True(c1!.AllocatedHs >= 250e12, $"allocated {c1.AllocatedHs}");
        Assert.Equal(c1.AllocatedHs, c1.Shares.Sum(s => s.Fraction * 100e12), 1e6);
        Assert.Equal(25, (await _http.GetFromJsonAsync("/v1/capacity", Json.CapacityView))!.UnitsSold);
        AllocationView? allocation = await _http.GetFromJsonAsync("/v1/allocation", Json.AllocationView);
        Assert.Equal(1200e12 - c1.AllocatedHs, allocation!.HouseHashrateHs, 1e6);

        string drainedId = c1.Shares.OrderByDescending(s => s.Fraction).First().MinerId;
        MinerView? drained = await (await _http.PostAsync($"/v1/miners/{drainedId}/drain", null)).Content.ReadFromJsonAsync(Json.MinerView);
        Assert.True(drained!.Drained);
        Assert.Empty(drained.Shares);
        RebalanceView? dry = await (await _http.PostAsync("/v1/rebalance?apply=false", null)).Content.ReadFromJsonAsync(Json.RebalanceView);
        Assert.False(dry!.Applied);
        RebalanceView? applied = await (await _http.PostAsync("/v1/rebalance?apply=true", null)).Content.ReadFromJsonAsync(Json.RebalanceView);
        Assert.True(applied!.Applied);
        Assert.DoesNotContain((await _http.GetFromJsonAsync("/v1/contracts/c1", Json.ContractView))!.Shares, s => s.MinerId == drainedId);
        Assert.False((await (await _http.PostAsync($"/v1/miners/{drainedId}/undrain", null)).Content.ReadFromJsonAsync(Json.MinerView))!.Drained);

        ContractView? ended = await (await _http.PostAsync("/v1/contracts/c1/end", null)).Content.ReadFromJsonAsync(Json.ContractView);
        Assert.Equal("c1", ended!.Id);
        Assert.Equal(HttpStatusCode.Conflict, (await _http.PostAsync("/v1/contracts/c1/end", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _http.PostAsync("/v1/miners/ghost/drain", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync("/v1/ledger?contract=c1")).StatusCode);
    }

    [Fact]
    public async Task Engine_refusals_come_back_as_problem_json()
    {
        HttpResponseMessage over = await AddAsync("big", "1300 TH/s");
        Assert.Equal(HttpStatusCode.Conflict, over.StatusCode);
        ProblemDocument? problem = await over.Content.ReadFromJsonAsync(Json.ProblemDocument);
        Assert.Equal(120, problem!.UnitsFree);
        Assert.Equal(1200e12, problem.FreeHs!.Value, 1e6);

        Assert.Equal(HttpStatusCode.Created, (await AddAsync("c1", "100 TH/s")).StatusCode);
        HttpResponseMessage duplicate = await AddAsync("c1", "100 TH/s");
        Assert.Equal(HttpStatusCode.Conflict, duplicate.StatusCode);
        Assert.Contains("already exists", (await duplicate.Content.ReadFromJsonAsync(Json.ProblemDocument))!.Detail, StringComparison.Ordinal);

        HttpResponseMessage bad = await AddAsync("c2", "a lot");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("hashrate", (await bad.Content.ReadFromJsonAsync(Json.ProblemDocument))!.Field);
    }

    [Fact]
    public async Task Farmctl_shows_delivery_and_exports_the_engine_ledger_as_csv()
    {
        Assert.Equal(0, (await FarmctlRun.InvokeAsync("contracts", "add", "--id", "alpha", "--customer", "acme", "--hashrate", "200 TH/s", "--pool-url", "stratum+tcp://customer.pool.example:3333", "--worker", "acme.alpha", "--end", "2026-04-01", "--api", Url, "--token-file", tokenFile)).Code);

        // Past the top of the hour, so the engine closes the first ledger hour; one-minute steps keep it quick.
        await _farm.RunAsync(TimeSpan.FromMinutes(65), TimeSpan.FromMinutes(1));

        (int code, string output, string error) = await FarmctlRun.InvokeAsync("allocation", "show", "--api", Url, "--token-file", tokenFile);
        Assert.True(code == 0, error);
        Assert.Matches(@"│ alpha\s+│ 200\.0\s+│ 200\.0\s+│ \d+\.\d\s+│ \d+\.\d %", output);
        Assert.Matches(@"│ house\s+│ -\s+│ 1000\.0\s+│", output);

        IReadOnlyList<LedgerEntry> rows = await _farm.Engine.GetLedgerAsync("alpha", DateTimeOffset.UnixEpoch, _farm.Clock.GetUtcNow().AddHours(1), CancellationToken.None);
        Assert.NotEmpty(rows);
        (code, output, _) = await FarmctlRun.InvokeAsync("ledger", "export", "--contract", "alpha", "--csv", "--api", Url, "--token-file", tokenFile);
        Assert.Equal(0, code);
        string[] lines = output.TrimEnd('\n').Split('\n');
        Assert.Equal(LedgerCsv.Header, lines[0]);
        Assert.Equal(rows.Count, lines.Length - 1);
        Assert.All(lines.Skip(1), l => Assert.StartsWith("alpha,2026-03-01T", l, StringComparison.Ordinal));
    }
}
