using CloudMining.Farm.ControlApi;
using CloudMining.Farm.Controller.Contracts;
using CloudMining.Farm.Controller.PoolSide;
using CloudMining.Farm.Controller.Proof;
using CloudMining.Farm.Controller.Settlement;
using CloudMining.Farm.Controller.Store;
using CloudMining.Farm.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace CloudMining.Farm.Tests.Controller.Settlement;

public sealed class ContractSettlerTests : IDisposable
{
    private static readonly DateTimeOffset Day = SettlementCalculatorTests.Day;
    private readonly string _dbPath = Path.Combine(Path.GetTempPath(), $"settle-{Guid.NewGuid():N}.db");

    [Fact]
    public async Task A_finished_day_is_settled_once_under_the_contracts_terms_with_the_pools_figure_and_stays_final()
    {
        await using SqliteControllerStore store = await SqliteControllerStore.OpenAsync(_dbPath, CancellationToken.None);
        Contract c = SettlementCalculatorTests.Contract100Th();
        await store.UpsertContractAsync(c, CancellationToken.None);
        await store.SetSettlementTermsAsync(c.Id, SettlementTerms.Create(5, MakeGoodKind.Credit, 0.002m), CancellationToken.None);
        await store.AppendLedgerAsync(SettlementCalculatorTests.DayWithOutage(c, Day.AddHours(10), TimeSpan.FromHours(2.4)), CancellationToken.None);
        await store.SavePoolSideHoursAsync([.. Enumerable.Range(0, 24).Select(h => new PoolSideHour(c.Id, Day.AddHours(h), 90, 3600))], CancellationToken.None);
        var clock = new FakeTimeProvider(Day.AddHours(23).AddMinutes(59));
        using var logs = new InMemoryLoggerProvider();
        var settler = new ContractSettler(store, store, store, new SettlementOptions(), clock, logs.CreateLogger<ContractSettler>());
        var none = new Dictionary<string, ContractEnding>();

        // Before the day's last hour is closed, nothing is settled.
        Assert.Empty(await settler.CloseDueAsync(clock.GetUtcNow(), Day, [c], none, CancellationToken.None));

        clock.Advance(TimeSpan.FromMinutes(2));
        ContractSettlement s = Assert.Single(await settler.CloseDueAsync(clock.GetUtcNow(), Day, [c], none, CancellationToken.None));
        Assert.Equal(Day, s.PeriodStart);
        Assert.Equal(Day.AddDays(1), s.PeriodEnd);
        Assert.Equal(120, s.MakeGoodTerahashHours, 1e-6);
        Assert.Equal(120 * 0.002m, s.Credit);
        Assert.Equal(24 * 90, s.PoolTerahashHours);
        Assert.Equal(24, s.PoolObservedHours);
        Assert.False(ContractProofBuilder.View(s).PoolPartial);

        // The next hour settles nothing new, and a restarted settler does not settle the day again.
        clock.Advance(TimeSpan.FromHours(1));
        Assert.Empty(await settler.CloseDueAsync(clock.GetUtcNow(), Day, [c], none, CancellationToken.None));
        var restarted = new ContractSettler(store, store, store, new SettlementOptions(), clock, logs.CreateLogger<ContractSettler>());
        Assert.Empty(await restarted.CloseDueAsync(clock.GetUtcNow(), Day, [c], none, CancellationToken.None));

        // Closed is final: a second close is refused and the row cannot be changed or deleted, even in SQL.
        Assert.False(await store.CloseSettlementAsync(s with { Credit = 0m }, CancellationToken.None));
        Assert.Equal(s.Credit, Assert.Single(await store.GetSettlementsAsync(c.Id, Day, Day.AddDays(1), CancellationToken.None)).Credit);
        Assert.Throws<SqliteException>(() => Execute("UPDATE settlements SET credit = '0';"));
        Assert.Throws<SqliteException>(() => Execute("DELETE FROM settlements;"));
        Assert.Contains(logs.Records, r => r.Message.Contains("Settled contract demo-1", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Without_terms_of_its_own_a_contract_is_settled_under_the_configured_period_and_defaults()
    {
        await using SqliteControllerStore store = await SqliteControllerStore.OpenAsync(_dbPath, CancellationToken.None);
        Contract c = SettlementCalculatorTests.Contract100Th();
        await store.UpsertContractAsync(c, CancellationToken.None);
        await store.AppendLedgerAsync(SettlementCalculatorTests.DayWithOutage(c, Day.AddHours(10), TimeSpan.FromHours(2.4)), CancellationToken.None);
        var clock = new FakeTimeProvider(Day.AddDays(1).AddMinutes(5));
        using var logs = new InMemoryLoggerProvider();
        var settler = new ContractSettler(store, store, null, new SettlementOptions { Period = TimeSpan.FromHours(12) }, clock, logs.CreateLogger<ContractSettler>());

        IReadOnlyList<ContractSettlement> closed = await settler.CloseDueAsync(clock.GetUtcNow(), Day, [c], new Dictionary<string, ContractEnding>(), CancellationToken.None);

        Assert.Equal([Day, Day.AddHours(12)], closed.Select(s => s.PeriodStart));

        // The outage (10:00–12:24) is 2 h in the first half-day (200 of 1200 TH·h, 60 tolerated) and 0.4 h in the second (40, all tolerated).
        Assert.Equal(1.4, closed[0].ExtraHours, 1e-9);
        Assert.Equal(0, closed[1].ExtraHours, 1e-9);
        Assert.Null(closed[0].PoolTerahashHours);
    }

    [Fact]
    public async Task A_partly_watched_day_keeps_the_pools_figure_with_the_hours_it_covers_so_it_does_not_read_as_a_shortfall()
    {
        await using SqliteControllerStore store = await SqliteControllerStore.OpenAsync(_dbPath, CancellationToken.None);
        Contract c = SettlementCalculatorTests.Contract100Th();
        await store.UpsertContractAsync(c, CancellationToken.None);
        await store.AppendLedgerAsync(SettlementCalculatorTests.DayWithOutage(c, Day.AddHours(10), TimeSpan.FromHours(2.4)), CancellationToken.None);

        // The watch began at 03:30: half of hour 3 and every hour after it; nothing before.
        await store.SavePoolSideHoursAsync([new PoolSideHour(c.Id, Day.AddHours(3), 45, 1800), .. Enumerable.Range(4, 20).Select(h => new PoolSideHour(c.Id, Day.AddHours(h), 90, 3600))], CancellationToken.None);
        var clock = new FakeTimeProvider(Day.AddDays(1).AddMinutes(1));
        using var logs = new InMemoryLoggerProvider();
        var settler = new ContractSettler(store, store, store, new SettlementOptions(), clock, logs.CreateLogger<ContractSettler>());

        ContractSettlement s = Assert.Single(await settler.CloseDueAsync(clock.GetUtcNow(), Day, [c], new Dictionary<string, ContractEnding>(), CancellationToken.None));

        Assert.Equal(45 + (20 * 90), s.PoolTerahashHours);
        Assert.Equal(20.5, s.PoolObservedHours!.Value, 1e-9);
        SettlementView view = ContractProofBuilder.View(Assert.Single(await store.GetSettlementsAsync(c.Id, Day, Day.AddDays(1), CancellationToken.None)));
        Assert.Equal(20.5, view.PoolObservedHours!.Value, 1e-9);
        Assert.True(view.PoolPartial);
        Assert.Equal("20.5 of 24 h watched", view.PoolWatchedNote);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        foreach (string p in new[] { _dbPath, _dbPath + "-wal", _dbPath + "-shm" })
        {
            File.Delete(p);
        }
    }

    private void Execute(string sql)
    {
        using var connection = new SqliteConnection($"Data Source={_dbPath};Pooling=False");
        connection.Open();
        using SqliteCommand cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }
}
