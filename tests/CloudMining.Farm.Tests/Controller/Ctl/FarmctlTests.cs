using System.Text.Json;
using CloudMining.Farm.ControlApi;
using CloudMining.Farm.Controller.Api;
using CloudMining.Farm.Controller.Store;
using CloudMining.Farm.Ctl.Cli;
using CloudMining.Farm.Ctl.Ledger;
using CloudMining.Farm.Tests.Controller.Api;
using CloudMining.Farm.Tests.Infrastructure;
using Xunit;

namespace CloudMining.Farm.Tests.Controller.Ctl;

/// <summary>farmctl against a real local API on loopback: tables, --json, exit codes and the ledger CSV.</summary>
public sealed class FarmctlTests : IAsyncLifetime, IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("farmctl-").FullName;
    private TestApi _api = null!;

    public async Task InitializeAsync() => _api = await TestApi.StartAsync();

    public async Task DisposeAsync() => await _api.DisposeAsync();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private Task<(int Code, string Out, string Error)> Farmctl(params string[] args) => FarmctlRun.InvokeAsync([.. args, "--api", _api.Url, "--token-file", _api.TokenFile]);

    private Task<(int Code, string Out, string Error)> AddAsync(string id, string hashrate = "100 TH/s", string pool = "stratum+tcp://pool.example.com:3333") =>
        Farmctl("contracts", "add", "--id", id, "--customer", "acme", "--hashrate", hashrate, "--pool-url", pool, "--worker", "acme." + id, "--end", "2027-01-01", "--maintenance-fee", "0.05", "--electricity-at-cost");

    [Fact]
    public async Task Fleet_prints_one_row_per_rack_with_miners_and_hashrate()
    {
        (int code, string output, string error) = await Farmctl("fleet");
        Assert.True(code == 0, error);
        Assert.Contains("3 rack(s), 12 of 12 miners hashing", output, StringComparison.Ordinal);
        foreach (string rack in new[] { "r1", "r2", "r3" })
        {
            Assert.Matches($@"│ {rack}\s+│ online\s+│ 4 / 4\s+│ 400\.0\s+│", output);
        }
    }

    [Fact]
    public async Task Fleet_names_a_miner_id_conflict_for_the_operator_in_the_table_and_the_json()
    {
        _api.Operations.Conflicts = [new CloudMining.Farm.ControlApi.ConflictView("r2-m01", "r2", "r1", TestApi.Now)];

        (int code, string output, string error) = await Farmctl("fleet");
        Assert.True(code == 0, error);
        Assert.Contains("Conflict: miner r2-m01 belongs to rack r2, but rack r1 reports it too", output, StringComparison.Ordinal);

        (code, output, _) = await Farmctl("fleet", "--json");
        Assert.Equal(0, code);
        using JsonDocument fleet = JsonDocument.Parse(output);
        JsonElement conflict = Assert.Single(fleet.RootElement.GetProperty("conflicts").EnumerateArray());
        Assert.Equal(("r2-m01", "r2", "r1"), (conflict.GetProperty("minerId").GetString(), conflict.GetProperty("ownerRack").GetString(), conflict.GetProperty("claimingRack").GetString()));
    }

    [Fact]
    public async Task Json_flag_prints_the_api_answer_pretty_and_parseable()
    {
        (int code, string output, _) = await Farmctl("capacity", "--json");
        Assert.Equal(0, code);
        Assert.Contains("\n  \"unitsFree\": 114", output, StringComparison.Ordinal);
        using JsonDocument doc = JsonDocument.Parse(output);
        Assert.Equal(114, doc.RootElement.GetProperty("unitsTotal").GetInt64());

        (code, output, _) = await Farmctl("fleet", "--json");
        Assert.Equal(0, code);
        using JsonDocument fleet = JsonDocument.Parse(output);
        Assert.Equal(3, fleet.RootElement.GetProperty("racks").GetArrayLength());
    }

    [Fact]
    public async Task Unreachable_controller_exits_2_saying_where_it_looked()
    {
        int port = FreeTcpPort.Next();
        (int code, string output, string error) = await FarmctlRun.InvokeAsync("fleet", "--api", $"http://127.0.0.1:{port}");
        Assert.Equal(ExitCodes.UsageOrConnection, code);
        Assert.Empty(output);
        Assert.Contains($"cannot reach farm-controller at http://127.0.0.1:{port}: connection refused; is `farm-controller run` running?", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Contract_added_then_shown_with_its_miners_and_delivered_vs_target()
    {
        (int code, string output, string error) = await AddAsync("demo-1", "150 TH/s");
        Assert.True(code == 0, error);
        Assert.Contains("Contract demo-1 sold: 150.0 TH/s", output, StringComparison.Ordinal);

        (code, output, _) = await Farmctl("contracts", "show", "demo-1");
        Assert.Equal(0, code);
        Assert.Contains("Delivered", output, StringComparison.Ordinal);
        Assert.Contains("of target, measured from accepted difficulty", output, StringComparison.Ordinal);
        Assert.Matches(@"│ r\d-m\d\d\s+│ r\d\s+│ 100 %\s+│", output);
        Assert.Matches(@"│ r\d-m\d\d\s+│ r\d\s+│ 50 %\s+│", output);
        Assert.Contains("1 whole miner(s) and 1 quota share(s)", output, StringComparison.Ordinal);

        (code, output, _) = await Farmctl("contracts", "list");
        Assert.Equal(0, code);
        Assert.Matches(@"│ demo-1\s+│ acme\s+│ active\s+│ 150\.0\s+│ 150\.0\s+│", output);

        (code, output, _) = await Farmctl("contracts", "end", "demo-1");
        Assert.Equal(0, code);
        Assert.Contains("Contract demo-1 ended", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Contract_beyond_capacity_exits_1_and_says_how_much_is_free()
    {
        (int code, string output, string error) = await AddAsync("huge", "5000 TH/s");
        Assert.Equal(ExitCodes.Refused, code);
        Assert.Empty(output);
        Assert.Contains("Capacity exceeded (409)", error, StringComparison.Ordinal);
        Assert.Contains("only 114 unit(s) (1140.00 TH/s)", error, StringComparison.Ordinal);

        (code, output, _) = await Farmctl("contracts", "add", "--id", "huge", "--customer", "acme", "--hashrate", "5 PH/s", "--pool-url", "stratum+tcp://p.example:3333", "--worker", "w", "--open-ended", "--negative-margin-days", "3", "--json");
        Assert.Equal(ExitCodes.Refused, code);
        using JsonDocument problem = JsonDocument.Parse(output);
        Assert.Equal(114, problem.RootElement.GetProperty("unitsFree").GetInt64());
    }

    [Fact]
    public async Task Invalid_contract_exits_1_naming_the_field()
    {
        (int code, _, string error) = await AddAsync("bad", pool: "http://pool.example.com:80");
        Assert.Equal(ExitCodes.Refused, code);
        Assert.Contains("Invalid request (400) (field: pool.url)", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("contracts", "add", "--id", "x", "--customer", "c", "--hashrate", "1 TH/s", "--pool-url", "stratum+tcp://p.example:1", "--worker", "w")]
    [InlineData("contracts", "add", "--id", "x", "--customer", "c", "--hashrate", "1 TH/s", "--pool-url", "stratum+tcp://p.example:1", "--worker", "w", "--open-ended")]
    [InlineData("contracts", "add", "--id", "x", "--customer", "c", "--hashrate", "1 TH/s", "--pool-url", "stratum+tcp://p.example:1", "--worker", "w", "--end", "someday")]
    [InlineData("rebalance")]
    [InlineData("rebalance", "--dry-run", "--apply")]
    [InlineData("contracts")]
    [InlineData("frobnicate")]
    public async Task Usage_errors_exit_2_without_touching_the_controller(params string[] args)
    {
        (int code, _, string error) = await Farmctl(args);
        Assert.Equal(ExitCodes.UsageOrConnection, code);
        Assert.StartsWith("farmctl: ", error, StringComparison.Ordinal);
        Assert.Empty((await _api.Operations.GetContractsAsync(CancellationToken.None)));
    }

    [Fact]
    public async Task Allocation_show_lists_each_contract_and_the_house_pool()
    {
        await AddAsync("c-a", "200 TH/s");
        await AddAsync("c-b", "50 TH/s");
        (int code, string output, _) = await Farmctl("allocation", "show");
        Assert.Equal(0, code);
        Assert.Contains("2 contract(s), house pool 950.0 TH/s", output, StringComparison.Ordinal);
        Assert.Matches(@"│ c-a\s+│ 200\.0\s+│ 200\.0\s+│ 196\.0\s+│ 98\.0 %\s+│ active\s+│ 2 whole\s+│ 2\s+│", output);
        Assert.Matches(@"│ c-b\s+│ 50\.0\s+│ 50\.0\s+│", output);
        Assert.Matches(@"│ house\s+│ -\s+│ 950\.0\s+│", output);
    }

    [Fact]
    public async Task Drain_moves_the_contract_and_rebalance_explains_the_moves()
    {
        await AddAsync("c1", "100 TH/s");
        string miner = (await _api.Operations.GetContractAsync("c1", CancellationToken.None))!.Shares.Single().MinerId;
        (int code, string output, _) = await Farmctl("miner", "drain", miner);
        Assert.Equal(0, code);
        Assert.Contains("(drained for maintenance)", output, StringComparison.Ordinal);
        Assert.Contains("No shares: drained miners mine for nobody.", output, StringComparison.Ordinal);

        (code, output, _) = await Farmctl("rebalance", "--dry-run");
        Assert.Equal(0, code);
        Assert.Contains("Dry run (nothing changed", output, StringComparison.Ordinal);

        (code, output, _) = await Farmctl("miner", "undrain", miner);
        Assert.Equal(0, code);
        (code, _, string error) = await Farmctl("miner", "drain", "ghost");
        Assert.Equal(ExitCodes.Refused, code);
        Assert.Contains("Not found (404)", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ledger_export_csv_has_the_documented_header_and_one_row_per_entry()
    {
        DateTimeOffset h = new(2026, 11, 20, 0, 0, 0, TimeSpan.Zero);
        _api.Operations.AddLedger(
            new LedgerEntry("a", h, 100, 98.5, 1.5, 3.2, 0.21m, 0.33m),
            new LedgerEntry("a", h.AddHours(1), 100, 100.25, 0, 3.25, 0.21m, 0.34m),
            new LedgerEntry("b", h, 50, 50, 0, 1.6, 0.1m, 0.17m));

        (int code, string output, _) = await Farmctl("ledger", "export", "--csv");
        Assert.Equal(0, code);
        string[] lines = output.TrimEnd('\n').Split('\n');
        Assert.Equal(LedgerCsv.Header, lines[0]);
        Assert.Equal("contract_id,hour_utc,target_th_h,delivered_th_h,shortfall_th_h,energy_kwh,maintenance_fee,electricity_cost", lines[0]);
        Assert.Equal(4, lines.Length);
        Assert.Equal("a,2026-11-20T00:00:00Z,100,98.5,1.5,3.2,0.21,0.33", lines[1]);
        Assert.Equal("a,2026-11-20T01:00:00Z,100,100.25,0,3.25,0.21,0.34", lines[2]);

        string file = Path.Combine(_dir, "ledger.csv");
        (code, output, string error) = await Farmctl("ledger", "export", "--contract", "a", "--from", "2026-11-20T01:00:00Z", "--csv", "--output", file);
        Assert.Equal(0, code);
        Assert.Empty(output);
        Assert.Contains("wrote 1 ledger row(s)", error, StringComparison.Ordinal);
        Assert.Equal([LedgerCsv.Header, "a,2026-11-20T01:00:00Z,100,100.25,0,3.25,0.21,0.34"], await File.ReadAllLinesAsync(file));

        (code, output, _) = await Farmctl("ledger", "export", "--json");
        Assert.Equal(0, code);
        Assert.Equal(3, JsonDocument.Parse(output).RootElement.GetArrayLength());
    }

    [Fact]
    public void Api_address_comes_from_the_option_then_the_environment_then_the_default()
    {
        Assert.Equal(new Uri("http://127.0.0.1:9000/"), ApiAddress.Resolve("http://127.0.0.1:9000", "http://127.0.0.1:9001"));
        Assert.Equal(new Uri("http://127.0.0.1:9001/"), ApiAddress.Resolve(null, "http://127.0.0.1:9001"));
        Assert.Equal(new Uri(LocalApiOptions.DefaultUrl + "/"), ApiAddress.Resolve(null, null));
        var e = Assert.Throws<CtlUsageException>(() => ApiAddress.Resolve("127.0.0.1:8650", null));
        Assert.Contains("--api '127.0.0.1:8650' is not an http:// URL", e.Message, StringComparison.Ordinal);
    }
}
