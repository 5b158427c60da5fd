using CloudMining.Farm.ControlApi;
using CloudMining.Farm.Shared.Wire;
using CloudMining.Farm.Controller.Allocation;
using CloudMining.Farm.Controller.Contracts;
using CloudMining.Farm.Controller.Engine;
using CloudMining.Farm.Controller.Ledger;
using CloudMining.Farm.Controller.Store;
using CloudMining.Farm.Shared.Units;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace CloudMining.Farm.Tests.Controller.Ledger;

/// <summary>The engine's ledger part on its own, over a real SQLite store: energy per share, the gap cap, hourly close.</summary>
public sealed class ContractLedgerTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ctl-ledger-").FullName;
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 3, 1, 10, 0, 0, TimeSpan.Zero));
    private SqliteControllerStore _store = null!;

    public async Task InitializeAsync() => _store = await SqliteControllerStore.OpenAsync(Path.Combine(_dir, "c.db"), CancellationToken.None);

    [Fact]
    public async Task Energy_is_credited_per_contract_share_and_a_long_gap_counts_only_three_ticks()
    {
        var ledger = new ContractLedger(_store, Options.Create(new EngineOptions { IntervalS = 10, ElectricityPricePerKwh = 0.1m }), _clock, NullLogger<ContractLedger>.Instance);
        await ledger.LoadAsync(CancellationToken.None);
        DateTimeOffset start = _clock.GetUtcNow();
        Contract c1 = Contract.Create("c1", "cust", Hashrate.FromTerahashes(10), PoolAccount.Create("stratum+tcp://p.example:3333", "acct.c1"),
            ContractTerm.Fixed(start.AddDays(-1), start.AddDays(30)), FeeTerms.Create(0, electricityAtCost: true));
        var power = new Dictionary<string, double> { ["m1"] = 3000, ["m2"] = 3000 };
        var assignments = new Dictionary<string, IReadOnlyList<PoolShare>>
        {
            ["m1"] = [new PoolShare("c1", 0.5), new PoolShare(HousePool.AssigneeId, 0.5)],
            ["m2"] = [new PoolShare(HousePool.AssigneeId, 1)],
        };

        // The first tick has nothing before it; then 6 minutes of ticks; then the controller is stopped for 50 minutes.
        ledger.CreditEnergy(_clock.GetUtcNow(), power, assignments);
        ledger.TickCompleted(_clock.GetUtcNow());
        for (int i = 0; i < 36; i++)
        {
            _clock.Advance(TimeSpan.FromSeconds(10));
            ledger.CreditEnergy(_clock.GetUtcNow(), power, assignments);
            ledger.TickCompleted(_clock.GetUtcNow());
        }

        _clock.Advance(TimeSpan.FromMinutes(50));
        ledger.CreditEnergy(_clock.GetUtcNow(), power, assignments);
        ledger.TickCompleted(_clock.GetUtcNow());

        // Past the hour: the 10:00 hour closes with 1500 W for 6 min and 30 s of the 50 min gap (capped at 3 ticks); the
        // 5 min after it are a gap too, of which only 11:00:30 to 11:01 counts, in the next hour.
        _clock.Advance(TimeSpan.FromMinutes(5));
        ledger.CreditEnergy(_clock.GetUtcNow(), power, assignments);
        await ledger.CloseCompletedHoursAsync(_clock.GetUtcNow(), [c1], new Dictionary<string, ContractEnding>(), CancellationToken.None);
        LedgerEntry row = Assert.Single(await ledger.RowsAsync([c1], start, _clock.GetUtcNow(), CancellationToken.None));
        Assert.Equal(start, row.Hour);
        Assert.Equal(1.5 * (6.5 / 60), row.EnergyKilowattHours, 6);
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }
}
