using System.Text.Json;
using CloudMining.Farm.ControlApi;
using CloudMining.Farm.Controller.Api;
using CloudMining.Farm.Ctl.Cli;
using CloudMining.Farm.Tests.Controller.Ctl;
using CloudMining.Farm.Tests.Controller.Engine;
using CloudMining.Farm.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace CloudMining.Farm.Tests.Controller.Curtailment;

/// <summary>`farmctl curtail` and `farmctl contracts add --curtail-…` over the local API and the real engine on a synthetic farm.</summary>
public sealed class FarmctlCurtailTests : IAsyncLifetime, IDisposable
{
    private readonly string _tokenDir = Directory.CreateTempSubdirectory("farmctl-curtail-").FullName;
    private EngineFarm _farm = null!;
    private LocalApiServer _server = null!;
    private string _worst = string.Empty;
    private string _second = string.Empty;

    private string TokenFile => Path.Combine(_tokenDir, LocalApiToken.DefaultFileName);

    public async Task InitializeAsync()
    {
        _farm = (await EngineFarm.StartAsync()).WithMiners(racks: 3, perRack: 4, th: 100);
        await _farm.RunAsync(TimeSpan.FromSeconds(30));
        _server = await LocalApiServer.StartAsync(_farm.Engine, new LocalApiOptions { Url = $"http://127.0.0.1:{FreeTcpPort.Next()}", TokenFile = TokenFile }, NullLoggerFactory.Instance, _farm.Clock, CancellationToken.None);
    }

    public void Dispose() => Directory.Delete(_tokenDir, recursive: true);

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _farm.DisposeAsync();
    }

    private Task<(int Code, string Out, string Error)> Farmctl(params string[] args) =>
        FarmctlRun.InvokeAsync([.. args, "--api", _server.Address.ToString().TrimEnd('/'), "--token-file", TokenFile]);

    private async Task SellAsync()
    {
        // Protected: 300 TH/s (3 miners). Curtailable: 300 TH/s, 6 h per day.
        (int code, _, string error) = await Farmctl("contracts", "add", "--id", "prot", "--customer", "acme", "--hashrate", "300 TH/s", "--pool-url", "stratum+tcp://customer.pool.example:3333", "--worker", "acme.prot", "--end", "2026-04-01");
        Assert.True(code == 0, error);
        (code, string output, error) = await Farmctl("contracts", "add", "--id", "curt", "--customer", "bob", "--hashrate", "300 TH/s", "--pool-url", "stratum+tcp://customer.pool.example:3333", "--worker", "bob.curt", "--end", "2026-04-01", "--curtail-allowance-hours", "6", "--curtail-period", "day");
        Assert.True(code == 0, error);
        Assert.Matches(@"Curtailment\s+curtailable, up to 6 h per day", output);
        await _farm.RunAsync(TimeSpan.FromSeconds(30));

        // Two clearly inefficient house miners (40 and 38 J/TH against 30 for the rest); efficiency does not move the allocation.
        HashSet<string> sold = [.. await MinersOfAsync("prot"), .. await MinersOfAsync("curt")];
        string[] house = [.. _farm.Miners.Keys.Where(id => !sold.Contains(id)).Order(StringComparer.Ordinal)];
        (_worst, _second) = (house[^1], house[0]);
        _farm.Miners[_worst].Watts = 4000;
        _farm.Miners[_second].Watts = 3800;
        await _farm.RunAsync(TimeSpan.FromSeconds(30));
    }

    private async Task<HashSet<string>> MinersOfAsync(string contract)
    {
        ContractView view = await _farm.Engine.GetContractAsync(contract, CancellationToken.None) ?? throw new InvalidOperationException(contract);
        return [.. view.Shares.Select(s => s.MinerId)];
    }

    [Fact]
    public async Task Contracts_show_says_whether_a_contract_may_be_curtailed()
    {
        await SellAsync();

        (int code, string output, string error) = await Farmctl("contracts", "show", "prot");
        Assert.True(code == 0, error);
        Assert.Matches(@"Curtailment\s+protected \(never curtailed\)", output);

        (code, output, _) = await Farmctl("contracts", "show", "curt", "--json");
        Assert.Equal(0, code);
        using JsonDocument doc = JsonDocument.Parse(output);
        Assert.True(doc.RootElement.GetProperty("curtailable").GetBoolean());
        Assert.Equal(6, doc.RootElement.GetProperty("curtailAllowanceHours").GetDouble());
        Assert.Equal("day", doc.RootElement.GetProperty("curtailPeriod").GetString());
    }

    [Fact]
    public async Task A_bad_curtailment_term_is_refused_naming_the_field()
    {
        (int code, _, string error) = await Farmctl("contracts", "add", "--id", "bad", "--customer", "acme", "--hashrate", "10 TH/s", "--pool-url", "stratum+tcp://customer.pool.example:3333", "--worker", "acme.bad", "--end", "2026-04-01", "--curtail-allowance-hours", "30", "--curtail-period", "day");
        Assert.Equal(ExitCodes.Refused, code);
        Assert.Contains("curtailment.allowanceHours: 30 must be more than 0 and at most 24 hours per day", error, StringComparison.Ordinal);

        (code, _, error) = await Farmctl("contracts", "add", "--id", "bad", "--customer", "acme", "--hashrate", "10 TH/s", "--pool-url", "stratum+tcp://customer.pool.example:3333", "--worker", "acme.bad", "--end", "2026-04-01", "--curtail-period", "day");
        Assert.Equal(ExitCodes.UsageOrConnection, code);
        Assert.Contains("--curtail-period needs --curtail-allowance-hours N", error, StringComparison.Ordinal);
        Assert.Null(await _farm.Engine.GetContractAsync("bad", CancellationToken.None));
    }

    [Fact]
    public async Task Plan_with_a_price_above_the_strike_explains_that_the_house_sleeps_least_efficient_first_and_contracts_keep_running()
    {
        await SellAsync();
        HashSet<string> contracted = [.. await MinersOfAsync("prot"), .. await MinersOfAsync("curt")];

        (int code, string output, string error) = await Farmctl("curtail", "plan", "--price", "120", "--strike", "80");
        Assert.True(code == 0, error);
        Assert.Contains("Dry run (nothing changed): price 120/MWh above the strike 80/MWh: the house stops mining at a loss.", output, StringComparison.Ordinal);
        Assert.Contains("a dry run sends nothing to the agents", output, StringComparison.Ordinal);
        Assert.Matches($@"│ {_worst}\s+│ r\d\s+│ sleep\s+│ house\s+│ 40\.0\s+│ 3\.8 kW\s+│ house \(unsold\) hashrate; 40\.0 J/TH, least efficient first; sleep: the whole house stops", output);

        (code, output, _) = await Farmctl("curtail", "plan", "--price", "120", "--strike", "80", "--json");
        Assert.Equal(0, code);
        CurtailmentPlanView plan = JsonSerializer.Deserialize(output, ApiJsonContext.Default.CurtailmentPlanView)!;
        Assert.False(plan.Recorded);
        Assert.Equal(12 - contracted.Count, plan.Steps.Count);
        Assert.All(plan.Steps, s => Assert.Equal(("sleep", "house"), (s.Action, s.Owner)));
        Assert.DoesNotContain(plan.Steps, s => contracted.Contains(s.MinerId));
        Assert.Equal([_worst, _second], plan.Steps.Take(2).Select(s => s.MinerId));

        // At or below the strike: nothing.
        (code, output, _) = await Farmctl("curtail", "plan", "--price", "70", "--strike", "80");
        Assert.Equal(0, code);
        Assert.Contains("price 70/MWh at or below the strike 80/MWh: nothing to curtail", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Demand_response_beyond_the_house_touches_the_curtailable_contract_and_never_the_protected_one()
    {
        await SellAsync();
        HashSet<string> prot = await MinersOfAsync("prot");
        HashSet<string> curt = await MinersOfAsync("curt");
        double house = _farm.Miners.Values.Where(m => !prot.Contains(m.Id) && !curt.Contains(m.Id)).Sum(m => m.Watts);

        // Everything the house draws, plus 5 kW: the rest must come from "curt".
        double kw = (house / 1000) + 5;
        (int code, string output, string error) = await Farmctl("curtail", "plan", "--reduce-kw", kw.ToString(System.Globalization.CultureInfo.InvariantCulture), "--minutes", "60", "--json");
        Assert.True(code == 0, error);
        CurtailmentPlanView plan = JsonSerializer.Deserialize(output, ApiJsonContext.Default.CurtailmentPlanView)!;

        Assert.Equal(0, plan.ShortfallW);
        Assert.True(plan.ShedW >= (kw * 1000) - 1, $"shed {plan.ShedW} W of {kw * 1000}");
        Assert.DoesNotContain(plan.Steps, s => prot.Contains(s.MinerId));
        int firstContract = plan.Steps.ToList().FindIndex(s => s.Owner == "curt");
        Assert.True(firstContract > 0, "the contract was touched before the house, or never");
        Assert.All(plan.Steps.Take(firstContract), s => Assert.Equal("house", s.Owner));
        // Asleep, each house miner still draws its sleep draw (5 % until measured).
        Assert.Equal(house * (1 - CloudMining.Farm.Controller.Curtailment.CurtailmentSettings.Default.SleepDrawFraction), plan.Assignees.Single(a => a.Assignee == "house").SavedW, 3);
        Assert.Contains(plan.Notes, n => n.StartsWith("contract prot untouched", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Apply_records_the_operator_signal_status_shows_it_and_end_restores_in_waves()
    {
        await SellAsync();

        (int code, string output, string error) = await Farmctl("curtail", "apply", "--reduce-kw", "10", "--minutes", "30");
        Assert.True(code == 0, error);
        Assert.Contains("Recorded: reduce the site by 10 kW for 30 min.", output, StringComparison.Ordinal);

        (code, output, error) = await Farmctl("curtail", "status", "--json");
        Assert.True(code == 0, error);
        CurtailmentStatusView status = JsonSerializer.Deserialize(output, ApiJsonContext.Default.CurtailmentStatusView)!;
        CurtailmentSignalView signal = Assert.Single(status.Signals);
        Assert.Equal(("demand-response", "operator", 10d), (signal.Kind, signal.Source, signal.ReduceKw!.Value));
        Assert.Equal(_farm.Clock.GetUtcNow().AddMinutes(30), signal.Until);
        Assert.True(status.Now.ShedW >= 9_999, $"the plan in force sheds {status.Now.ShedW} W");
        // The curtailable contract's allowance this period: 6 h a day, the hours used by the ledger, the rest left.
        CurtailmentAllowanceView allowance = Assert.Single(status.Allowances!);
        Assert.Equal(("curt", 6d, "day", false), (allowance.ContractId, allowance.AllowanceHours, allowance.Period, allowance.RestoredUsedUp));
        Assert.Equal(new DateTimeOffset(_farm.Clock.GetUtcNow().UtcDateTime.Date, TimeSpan.Zero), allowance.PeriodStart);
        Assert.Equal(6, allowance.UsedHours + allowance.LeftHours, 3);

        (code, output, error) = await Farmctl("curtail", "status");
        Assert.True(code == 0, error);
        Assert.Matches(@"│ demand-response operator-\d{8}T\d{6}Z\s+│ operator\s+│ reduce 10 kW", output);
        Assert.Matches(@"│ curt\s+│ 6 h per day\s+│", output);

        (code, output, error) = await Farmctl("curtail", "end");
        Assert.True(code == 0, error);
        Assert.Matches(@"Operator curtailment ended at site s1; \d+ miner\(s\) to restore in \d+ wave\(s\) against inrush\.", output);
        (code, output, _) = await Farmctl("curtail", "status", "--json");
        Assert.Equal(0, code);
        Assert.Empty(JsonSerializer.Deserialize(output, ApiJsonContext.Default.CurtailmentStatusView)!.Signals);
    }

    [Fact]
    public async Task Bad_curtail_input_is_a_usage_error_or_a_refusal_naming_the_field()
    {
        (int code, _, string error) = await Farmctl("curtail", "apply");
        Assert.Equal(ExitCodes.UsageOrConnection, code);
        Assert.Contains("give --price P (per MWh, judged against the strike) or --reduce-kw X (demand response).", error, StringComparison.Ordinal);

        (code, _, error) = await Farmctl("curtail", "plan", "--price", "100", "--reduce-kw", "5");
        Assert.Equal(ExitCodes.UsageOrConnection, code);
        Assert.Contains("not both", error, StringComparison.Ordinal);

        (code, _, error) = await Farmctl("curtail", "plan", "--reduce-kw", "0");
        Assert.Equal(ExitCodes.Refused, code);
        Assert.Contains("reduceKw", error, StringComparison.Ordinal);
        Assert.Contains("0 must be more than 0", error, StringComparison.Ordinal);

        (code, _, error) = await Farmctl("curtail", "apply", "--price", "1000000");
        Assert.Equal(ExitCodes.Refused, code);
        Assert.Contains("1000000 is outside -10000..100000", error, StringComparison.Ordinal);
    }
}
