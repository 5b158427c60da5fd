using System.Text.Json;
using CloudMining.Farm.Controller.Allocation;
using CloudMining.Farm.Controller.Capacity;
using CloudMining.Farm.Controller.Contracts;
using CloudMining.Farm.Controller.Curtailment;
using CloudMining.Farm.Controller.Engine;
using CloudMining.Farm.Controller.Enforcement;
using CloudMining.Farm.Controller.Ledger;
using CloudMining.Farm.Controller.Platform;
using CloudMining.Farm.Controller.Proof;
using CloudMining.Farm.Controller.Store;
using CloudMining.Farm.Shared.Units;
using CloudMining.Farm.Shared.Wire;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace CloudMining.Farm.Tests.Controller.Platform;

/// <summary>The platform-publishing part on its own: published on change or when the interval is due, an ended contract's final status once.</summary>
public sealed class PlatformPublisherTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ctl-platform-").FullName;
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 3, 1, 10, 0, 0, TimeSpan.Zero));
    private readonly RecordingPublisher _publisher = new();
    private SqliteControllerStore _store = null!;

    public async Task InitializeAsync() => _store = await SqliteControllerStore.OpenAsync(Path.Combine(_dir, "c.db"), CancellationToken.None);

    [Fact]
    public async Task Publishes_on_change_or_when_due_and_an_ended_contract_once()
    {
        (PlatformPublisher platform, ContractBook book, CurrentAllocation allocation, DeliveryProof proof) = await PartsAsync(TimeSpan.FromMinutes(1));
        DateTimeOffset now = _clock.GetUtcNow();
        await book.AddAsync(Contract.Create("c1", "cust", Hashrate.FromTerahashes(10), PoolAccount.Create("stratum+tcp://p.example:3333", "acct.c1"), ContractTerm.Fixed(now, now.AddDays(1)), FeeTerms.Create(0, false)), CancellationToken.None);

        Task Publish(bool force = false) => platform.PublishAsync(FleetSnapshot.Empty, book, allocation, proof, _clock.GetUtcNow(), force, CancellationToken.None);

        await Publish();
        Assert.Equal(["farm/v1/s1/allocation/c1", "farm/v1/s1/capacity"], _publisher.Topics);

        // Nothing changed and the interval has not passed: nothing; then due again.
        _clock.Advance(TimeSpan.FromSeconds(30));
        await Publish();
        Assert.Equal(2, _publisher.Topics.Count);
        _clock.Advance(TimeSpan.FromSeconds(30));
        await Publish();
        Assert.Equal(4, _publisher.Topics.Count);

        // A status change publishes at once; the ended contract's final status goes out once, never again.
        await book.EndAsync("c1", _clock.GetUtcNow(), "ended by operator", CancellationToken.None);
        await Publish();
        Assert.Equal(ContractStatus.Ended, JsonSerializer.Deserialize(_publisher.Payloads[^2], FarmJsonContext.Default.AllocationPayload)!.Status);
        _clock.Advance(TimeSpan.FromMinutes(5));
        await Publish(force: true);
        Assert.Equal("farm/v1/s1/capacity", Assert.Single(_publisher.Topics.Skip(6)));
    }

    [Fact]
    public async Task A_curtailable_contract_carries_its_allowance_used_and_a_tenth_of_an_hour_more_publishes_at_once()
    {
        (PlatformPublisher platform, ContractBook book, CurrentAllocation allocation, DeliveryProof proof) = await PartsAsync(TimeSpan.FromMinutes(10));
        DateTimeOffset now = _clock.GetUtcNow();
        var curt = Contract.Create("curt", "cust", Hashrate.FromTerahashes(10), PoolAccount.Create("stratum+tcp://p.example:3333", "acct.curt"), ContractTerm.Fixed(now, now.AddDays(1)), FeeTerms.Create(0, false), CurtailmentTerms.Allow(6, CurtailmentPeriod.Day));
        await book.AddAsync(curt, CancellationToken.None);
        var allowance = new CurtailmentAllowance();
        allowance.Add([new CurtailmentLedgerRow("curt", now.AddHours(-2), 100, 10, 1.0)]);

        Task Publish(IReadOnlyList<CurtailmentLedgerRow> open) => platform.PublishAsync(FleetSnapshot.Empty, book, allocation, proof, _clock.GetUtcNow(), false, CancellationToken.None, null,
            allowance.Use(book.ActiveAt(_clock.GetUtcNow()), _clock.GetUtcNow(), open).ToDictionary(u => u.ContractId, StringComparer.Ordinal));

        await Publish([new CurtailmentLedgerRow("curt", now, 50, 5, 0.25)]);
        ContractCurtailment c = JsonSerializer.Deserialize(_publisher.Payloads[0], FarmJsonContext.Default.AllocationPayload)!.Curtailment!;
        Assert.Equal((ContractCurtailment.Curtailable, 6d, "day", 1.25, new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero)), (c.State, c.AllowanceHours!.Value, c.Period, c.AllowanceUsedHours!.Value, c.PeriodStart!.Value));

        // Within the interval: the same tenth of an hour publishes nothing, the next one publishes at once.
        _clock.Advance(TimeSpan.FromMinutes(1));
        await Publish([new CurtailmentLedgerRow("curt", now, 50, 5, 0.24)]);
        Assert.Equal(2, _publisher.Topics.Count);
        await Publish([new CurtailmentLedgerRow("curt", now, 50, 5, 0.4)]);
        Assert.Equal(4, _publisher.Topics.Count);
        Assert.Equal(1.4, JsonSerializer.Deserialize(_publisher.Payloads[2], FarmJsonContext.Default.AllocationPayload)!.Curtailment!.AllowanceUsedHours!.Value, 9);
    }

    /// <summary>A platform publisher (publishing at most every <paramref name="interval"/> unless something changed) over an empty book and allocation in the store.</summary>
    private async Task<(PlatformPublisher Platform, ContractBook Book, CurrentAllocation Allocation, DeliveryProof Proof)> PartsAsync(TimeSpan interval)
    {
        var options = Options.Create(new EngineOptions());
        var platform = new PlatformPublisher(new ControllerSite("s1"), new CapacityCalculator(options.Value.CapacityOptions()), Options.Create(new PlatformPublishingOptions { PlatformPublishInterval = interval }), _publisher);
        var book = new ContractBook(_store);
        await book.LoadAsync(CancellationToken.None);
        var allocation = new CurrentAllocation(_store, NullLogger<CurrentAllocation>.Instance);
        await allocation.LoadAsync(CancellationToken.None);
        return (platform, book, allocation, new DeliveryProof(options, NullLogger<DeliveryProof>.Instance));
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private sealed class RecordingPublisher : IFarmPublisher
    {
        private long _seq;

        public List<string> Topics { get; } = [];

        public List<byte[]> Payloads { get; } = [];

        public string PublisherId => "controller";

        public long NextSeq() => ++_seq;

        public Task PublishAsync(string topic, ReadOnlyMemory<byte> payload, bool retain, CancellationToken cancellationToken)
        {
            Assert.True(retain, "the platform's topics are retained");
            Topics.Add(topic);
            Payloads.Add(payload.ToArray());
            return Task.CompletedTask;
        }
    }
}
