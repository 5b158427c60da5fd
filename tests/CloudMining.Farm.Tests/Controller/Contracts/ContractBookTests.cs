using CloudMining.Farm.Shared.Wire;
using CloudMining.Farm.Controller.Contracts;
using CloudMining.Farm.Controller.Proof;
using CloudMining.Farm.Controller.Store;
using CloudMining.Farm.Shared.Units;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace CloudMining.Farm.Tests.Controller.Contracts;

/// <summary>The engine's contract book on its own, over a real SQLite store: statuses, units held, pool accounts, endings that survive a restart.</summary>
public sealed class ContractBookTests : IAsyncLifetime
{
    private const string PoolUrl = "stratum+tcp://customer.pool.example:3333";
    private readonly string _dir = Directory.CreateTempSubdirectory("ctl-book-").FullName;
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 3, 1, 10, 0, 0, TimeSpan.Zero));
    private SqliteControllerStore _store = null!;

    public async Task InitializeAsync() => _store = await SqliteControllerStore.OpenAsync(Path.Combine(_dir, "c.db"), CancellationToken.None);

    [Fact]
    public async Task Statuses_follow_the_term_and_an_ending_survives_a_reload()
    {
        var book = new ContractBook(_store);
        await book.LoadAsync(CancellationToken.None);
        DateTimeOffset now = _clock.GetUtcNow();
        Contract running = Fixed("running", now.AddDays(-1), now.AddDays(10));
        Contract later = Fixed("later", now.AddDays(1), now.AddDays(10));
        Contract over = Fixed("over", now.AddDays(-10), now.AddHours(-1));
        foreach (Contract c in new[] { running, later, over })
        {
            book.EnsureAddable(c, house: null);
            await book.AddAsync(c, CancellationToken.None);
        }

        Assert.Equal(
            [ContractStatus.Active, ContractStatus.Pending, ContractStatus.Ended],
            book.All.Select(c => book.StatusOf(c, now)));
        Assert.Equal(["running"], book.ActiveAt(now).Select(c => c.Id));
        Assert.Equal(["running", "later"], book.SoldAt(now).Select(c => c.Id));

        _clock.Advance(TimeSpan.FromMinutes(5));
        await book.EndAsync("running", _clock.GetUtcNow(), "ended by operator", CancellationToken.None);

        var reloaded = new ContractBook(_store);
        await reloaded.LoadAsync(CancellationToken.None);
        Contract again = reloaded.Find("running")!;
        Assert.Equal(ContractStatus.Ended, reloaded.StatusOf(again, _clock.GetUtcNow()));
        Assert.Equal(_clock.GetUtcNow(), reloaded.UntilOf(again));
        Assert.DoesNotContain(PoolKey.Of(PoolUrl, "acct.running"), reloaded.PoolIndex(_clock.GetUtcNow()).Keys);
        Assert.Equal("later", reloaded.PoolIndex(_clock.GetUtcNow())[PoolKey.Of(PoolUrl, "acct.later")]);
        
        // Past its term but never ended by anyone: still a contract whose pool desired state may name.
        Assert.Equal(["later", "over"], reloaded.NotEndedById().Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_taken_id_or_pool_account_is_refused_before_anything_is_stored()
    {
        var book = new ContractBook(_store);
        await book.LoadAsync(CancellationToken.None);
        DateTimeOffset now = _clock.GetUtcNow();
        await book.AddAsync(Fixed("c1", now, now.AddDays(1)), CancellationToken.None);

        Assert.Throws<InvalidOperationException>(() => book.EnsureAddable(Fixed("C1", now, now.AddDays(1), worker: "acct.other"), house: null));
        var clash = Assert.Throws<ContractValidationException>(() => book.EnsureAddable(Fixed("c2", now, now.AddDays(1), worker: "acct.c1"), house: null));
        Assert.Contains("contract 'c1'", clash.Message, StringComparison.Ordinal);
        var house = new HousePool(PoolAccount.Create(PoolUrl, "op.house"));
        Assert.Throws<ContractValidationException>(() => book.EnsureAddable(Fixed("c3", now, now.AddDays(1), worker: "op.house"), house));
        Assert.Single(await _store.GetContractsAsync(CancellationToken.None));
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private static Contract Fixed(string id, DateTimeOffset start, DateTimeOffset end, string? worker = null) =>
        Contract.Create(id, "cust", Hashrate.FromTerahashes(10), PoolAccount.Create(PoolUrl, worker ?? "acct." + id), ContractTerm.Fixed(start, end), FeeTerms.Create(0, false));
}
