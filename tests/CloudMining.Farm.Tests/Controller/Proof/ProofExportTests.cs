using System.Globalization;
using CloudMining.Farm.ControlApi;
using CloudMining.Farm.Controller.Api;
using CloudMining.Farm.Controller.Settlement;
using CloudMining.Farm.Ctl.Ledger;
using CloudMining.Farm.Tests.Controller.Ctl;
using CloudMining.Farm.Tests.Controller.Engine;
using CloudMining.Farm.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace CloudMining.Farm.Tests.Controller.Proof;

/// <summary>
/// farmctl over the local API over the engine after a simulated day (fake clock): `ledger export --settlements` and
/// `contracts proof --csv` give the stored figures.
/// </summary>
public sealed class ProofExportTests : IAsyncLifetime
{
    private EngineFarm _farm = null!;
    private LocalApiServer _api = null!;
    private string _tokenFile = null!;

    public async Task InitializeAsync()
    {
        _farm = await EngineFarm.StartAsync();
        _farm.WithMiners(1, 2, 100);
        await _farm.RunAsync(TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(30));
        await _farm.AddContractAsync("c1", 100);
        await _farm.RunAsync(TimeSpan.FromHours(26), TimeSpan.FromMinutes(5));
        _tokenFile = Path.Combine(_farm.Directory, "api", LocalApiToken.DefaultFileName);
        _api = await LocalApiServer.StartAsync(_farm.Engine, new LocalApiOptions { Url = $"http://127.0.0.1:{FreeTcpPort.Next()}", TokenFile = _tokenFile }, NullLoggerFactory.Instance, _farm.Clock, CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await _api.DisposeAsync();
        await _farm.DisposeAsync();
    }

    [Fact]
    public async Task Ledger_export_settlements_csv_lists_the_stored_settlements()
    {
        (int code, string output, string error) = await FarmctlAsync("ledger", "export", "--settlements", "--csv");
        Assert.True(code == 0, error);
        string[] lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        IReadOnlyList<ContractSettlement> stored = await _farm.Store.GetSettlementsAsync(null, DateTimeOffset.UnixEpoch, DateTimeOffset.MaxValue, CancellationToken.None);
        Assert.NotEmpty(stored);
        Assert.Equal(SettlementCsv.Header, lines[0]);
        Assert.Equal(stored.Count, lines.Length - 1);
        string[] first = lines[1].Split(',');
        Assert.Equal("c1", first[0]);
        Assert.Equal(stored[0].PeriodStart.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture), first[1]);
        Assert.Equal(stored[0].DeliveredTerahashHours, double.Parse(first[4], CultureInfo.InvariantCulture));
        Assert.Equal(stored[0].MakeGood == MakeGoodKind.Credit ? "credit" : "extra-hours", first[8]);

        (code, output, error) = await FarmctlAsync("ledger", "export", "--settlements");
        Assert.True(code == 0, error);
        Assert.Contains("c1", output, StringComparison.Ordinal);
        Assert.Contains(stored[0].TargetTerahashHours.ToString("F3", CultureInfo.InvariantCulture), output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Contracts_proof_csv_gives_the_ledger_hours_with_their_miners()
    {
        DateTimeOffset now = _farm.Clock.GetUtcNow();
        string from = now.AddDays(-3).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        string to = now.AddHours(1).UtcDateTime.ToString("yyyy-MM-dd'T'HH:00:00'Z'", CultureInfo.InvariantCulture);
        (int code, string output, string error) = await FarmctlAsync("contracts", "proof", "c1", "--csv", "--from", from, "--to", to);
        Assert.True(code == 0, error);
        string[] lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(ProofCsv.Header, lines[0]);
        IReadOnlyList<LedgerEntry> ledger = await _farm.Engine.GetLedgerAsync("c1", now.AddDays(-3), now, CancellationToken.None);
        string[][] closed = [.. lines.Skip(1).Select(l => l.Split(',')).Where(f => f[2] == "false")];
        Assert.Equal(ledger.Count, closed.Length);
        Assert.Equal(ledger.Select(r => r.DeliveredTerahashHours), closed.Select(f => double.Parse(f[4], CultureInfo.InvariantCulture)));
        ContractView contract = (await _farm.Engine.GetContractAsync("c1", CancellationToken.None))!;
        string miner = Assert.Single(contract.Shares).MinerId;
        Assert.All(closed.Skip(1), f => Assert.StartsWith(miner + ":", f[10], StringComparison.Ordinal));
        Assert.Equal("true", lines[^1].Split(',')[2]);

        (code, output, error) = await FarmctlAsync("contracts", "proof", "c1", "--from", from, "--to", to);
        Assert.True(code == 0, error);
        Assert.Contains("target 100.0 TH/s", output, StringComparison.Ordinal);
        Assert.Contains(miner, output, StringComparison.Ordinal);
    }

    private Task<(int Code, string Out, string Error)> FarmctlAsync(params string[] args) =>
        FarmctlRun.InvokeAsync([.. args, "--api", _api.Address.ToString().TrimEnd('/'), "--token-file", _tokenFile]);
}
