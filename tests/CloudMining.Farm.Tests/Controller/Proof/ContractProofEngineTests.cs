using System.Text.Json;
using CloudMining.Farm.ControlApi;
using CloudMining.Farm.Controller.Enforcement;
using CloudMining.Farm.Controller.Settlement;
using CloudMining.Farm.Shared.Wire;
using CloudMining.Farm.Tests.Controller.Engine;
using Xunit;

namespace CloudMining.Farm.Tests.Controller.Proof;

/// <summary>The proof of a contract through the engine on a fake clock: hours, the miners that served them, settlements, and the platform's settlement field.</summary>
public sealed class ContractProofEngineTests
{
    [Fact]
    public async Task Each_closed_hour_names_the_miners_that_served_it_with_their_share_and_delivery()
    {
        await using EngineFarm farm = await EngineFarm.StartAsync();
        farm.WithMiners(1, 3, 100);
        await farm.RunAsync(TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(30));
        await farm.AddContractAsync("c1", 200);
        await farm.RunAsync(TimeSpan.FromHours(3), TimeSpan.FromMinutes(1));

        DateTimeOffset now = farm.Clock.GetUtcNow();
        ContractProofView proof = await farm.Engine.GetContractProofAsync("c1", now.AddDays(-1), now.AddHours(1), CancellationToken.None);
        ContractView contract = (await farm.Engine.GetContractAsync("c1", CancellationToken.None))!;

        Assert.Equal(contract.TargetHs, proof.TargetHs);
        Assert.Equal(contract.Shares.Select(s => s.MinerId).Order(), proof.Miners.Select(s => s.MinerId).Order());
        Assert.Equal(2, proof.Miners.Count);
        ProofHourView full = proof.Hours.First(h => !h.Open && h.Hour > contract.Start);
        Assert.Equal(200, full.TargetTerahashHours, 6);
        Assert.Equal(proof.Miners.Select(s => s.MinerId).Order(), full.Miners.Select(m => m.MinerId).Order());
        Assert.All(full.Miners, m => Assert.InRange(m.ShareHours, 0.97, 1.03));
        Assert.Equal(full.DeliveredTerahashHours, full.Miners.Sum(m => m.DeliveredTerahashHours), 6);
        Assert.InRange(full.DeliveredTerahashHours, 180, 220);

        ProofHourView open = Assert.Single(proof.Hours, h => h.Open);
        Assert.Equal(HourOf(now), open.Hour);
        Assert.Equal(200 * (now - HourOf(now)).TotalHours, open.TargetTerahashHours, 6);

        IReadOnlyList<LedgerEntry> ledger = await farm.Engine.GetLedgerAsync("c1", now.AddDays(-1), now, CancellationToken.None);
        Assert.Equal(ledger.Select(r => (r.Hour, r.DeliveredTerahashHours)), proof.Hours.Where(h => !h.Open).Select(h => (h.Hour, h.DeliveredTerahashHours)));
    }

    [Fact]
    public async Task The_miner_record_survives_a_restart_of_the_engine()
    {
        await using EngineFarm farm = await EngineFarm.StartAsync();
        farm.WithMiners(1, 2, 100);
        await farm.RunAsync(TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(30));
        await farm.AddContractAsync("c1", 100);
        await farm.RunAsync(TimeSpan.FromHours(2), TimeSpan.FromMinutes(1));
        DateTimeOffset now = farm.Clock.GetUtcNow();
        ContractProofView before = await farm.Engine.GetContractProofAsync("c1", now.AddDays(-1), HourOf(now), CancellationToken.None);

        await farm.CloseAsync();
        await farm.OpenAsync();

        ContractProofView after = await farm.Engine.GetContractProofAsync("c1", now.AddDays(-1), HourOf(now), CancellationToken.None);
        Assert.NotEmpty(before.Hours);
        Assert.Equal(
            before.Hours.Select(h => (h.Hour, string.Join(",", h.Miners.Select(m => $"{m.MinerId}:{m.ShareHours:F6}")))),
            after.Hours.Select(h => (h.Hour, string.Join(",", h.Miners.Select(m => $"{m.MinerId}:{m.ShareHours:F6}")))));
        Assert.All(after.Hours.Skip(1), h => Assert.NotEmpty(h.Miners));
    }

    [Fact]
    public async Task Closed_settlements_are_listed_and_ride_on_the_platforms_allocation_message()
    {
        var publisher = new RecordingPublisher();
        await using EngineFarm farm = await EngineFarm.StartAsync(publisher: publisher);
        farm.WithMiners(1, 2, 100);
        await farm.RunAsync(TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(30));
        await farm.AddContractAsync("c1", 100);
        await farm.RunAsync(TimeSpan.FromHours(26), TimeSpan.FromMinutes(5));

        IReadOnlyList<SettlementView> views = await farm.Engine.GetSettlementsAsync("c1", DateTimeOffset.UnixEpoch, DateTimeOffset.MaxValue, CancellationToken.None);
        IReadOnlyList<ContractSettlement> stored = await farm.Store.GetSettlementsAsync("c1", DateTimeOffset.UnixEpoch, DateTimeOffset.MaxValue, CancellationToken.None);
        Assert.NotEmpty(views);
        Assert.Equal(stored.Select(s => (s.PeriodStart, s.DeliveredTerahashHours, s.ShortfallTerahashHours)), views.Select(s => (s.PeriodStart, s.DeliveredTerahashHours, s.ShortfallTerahashHours)));

        SettlementView latest = views[^1];
        AllocationPayload? payload = publisher.Messages
            .Where(m => m.Topic == FarmTopics.Allocation(EngineFarm.Site, "c1"))
            .Select(m => JsonSerializer.Deserialize(m.Payload, FarmJsonContext.Default.AllocationPayload))
            .LastOrDefault();
        Assert.NotNull(payload?.Settlement);
        Assert.Equal((latest.PeriodStart, latest.PeriodEnd, latest.MakeGood), (payload.Settlement.PeriodStart, payload.Settlement.PeriodEnd, payload.Settlement.MakeGood));
        Assert.Equal(latest.DeliveredTerahashHours, payload.Settlement.DeliveredThh, 9);

        DateTimeOffset now = farm.Clock.GetUtcNow();
        ContractProofView proof = await farm.Engine.GetContractProofAsync("c1", latest.PeriodStart, now, CancellationToken.None);
        Assert.Contains(proof.Settlements, s => s.PeriodStart == latest.PeriodStart);
    }

    [Fact]
    public async Task Each_hour_names_its_miners_by_the_serial_their_firmware_reports_and_unknown_where_it_gives_none()
    {
        await using EngineFarm farm = await EngineFarm.StartAsync();
        farm.WithMiners(1, 2, 100);
        // r1-m01's firmware reports its serial (in its state message, as farm-agent sends it); r1-m02's gives none.
        farm.Fleet.Apply(new MinerStatePayload { Publisher = "agent-s1-r1", Seq = 1, Timestamp = farm.Clock.GetUtcNow(), Site = EngineFarm.Site, Rack = "r1", MinerId = "r1-m01", State = MinerState.Hashing, Serial = "JYZZD4BBCJCAJ0ABC" });
        farm.Fleet.Apply(new MinerStatePayload { Publisher = "agent-s1-r1", Seq = 2, Timestamp = farm.Clock.GetUtcNow(), Site = EngineFarm.Site, Rack = "r1", MinerId = "r1-m02", State = MinerState.Hashing, Serial = "N/A" });
        await farm.RunAsync(TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(30));
        await farm.AddContractAsync("c1", 200);
        await farm.RunAsync(TimeSpan.FromHours(2), TimeSpan.FromMinutes(1));
        DateTimeOffset now = farm.Clock.GetUtcNow();

        ContractProofView live = await farm.Engine.GetContractProofAsync("c1", now.AddDays(-1), now.AddHours(1), CancellationToken.None);
        await farm.CloseAsync();
        await farm.OpenAsync();
        ContractProofView stored = await farm.Engine.GetContractProofAsync("c1", now.AddDays(-1), HourOf(now), CancellationToken.None);

        Assert.Equal(["JYZZD4BBCJCAJ0ABC", MinerSerial.Unknown], live.Miners.OrderBy(m => m.MinerId, StringComparer.Ordinal).Select(m => m.Serial));
        ProofHourView full = stored.Hours.First(h => h.Miners.Count == 2);
        Assert.Equal(
            [("r1-m01", "JYZZD4BBCJCAJ0ABC"), ("r1-m02", MinerSerial.Unknown)],
            full.Miners.Select(m => (m.MinerId, m.Serial)));
        string json = JsonSerializer.Serialize(stored, ApiJsonContext.Default.ContractProofView);
        Assert.Contains("\"serial\":\"JYZZD4BBCJCAJ0ABC\"", json, StringComparison.Ordinal);
        Assert.DoesNotContain("N/A", json, StringComparison.Ordinal);
    }

    [Fact]
    public async Task After_a_restart_the_latest_settlement_rides_on_the_allocation_message_again()
    {
        var before = new RecordingPublisher();
        await using EngineFarm farm = await EngineFarm.StartAsync(publisher: before);
        farm.WithMiners(1, 2, 100);
        await farm.RunAsync(TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(30));
        await farm.AddContractAsync("c1", 100);
        await farm.RunAsync(TimeSpan.FromHours(26), TimeSpan.FromMinutes(5));
        SettlementView latest = (await farm.Engine.GetSettlementsAsync("c1", DateTimeOffset.UnixEpoch, DateTimeOffset.MaxValue, CancellationToken.None))[^1];

        // A restarted process: fresh engine and fleet over the same database, a new connection to the broker.
        var after = new RecordingPublisher();
        await farm.CloseAsync();
        await farm.OpenAsync(after, freshFleet: true);
        await farm.RunAsync(TimeSpan.FromMinutes(2), TimeSpan.FromSeconds(30));

        AllocationPayload[] published = [.. after.Messages
            .Where(m => m.Topic == FarmTopics.Allocation(EngineFarm.Site, "c1"))
            .Select(m => JsonSerializer.Deserialize(m.Payload, FarmJsonContext.Default.AllocationPayload)!)];
        Assert.NotEmpty(published);
        Assert.All(published, p => Assert.NotNull(p.Settlement));
        Assert.Equal((latest.PeriodStart, latest.PeriodEnd), (published[^1].Settlement!.PeriodStart, published[^1].Settlement!.PeriodEnd));
        Assert.Equal(latest.DeliveredTerahashHours, published[^1].Settlement!.DeliveredThh, 9);
    }

    [Fact]
    public async Task An_unknown_contract_is_not_found()
    {
        await using EngineFarm farm = await EngineFarm.StartAsync();
        DateTimeOffset now = farm.Clock.GetUtcNow();
        KeyNotFoundException e = await Assert.ThrowsAsync<KeyNotFoundException>(() => farm.Engine.GetContractProofAsync("nope", now.AddDays(-1), now, CancellationToken.None));
        Assert.Contains("'nope'", e.Message, StringComparison.Ordinal);
    }

    private static DateTimeOffset HourOf(DateTimeOffset t) => new(t.Year, t.Month, t.Day, t.Hour, 0, 0, TimeSpan.Zero);

    private sealed class RecordingPublisher : IFarmPublisher
    {
        private long _seq;

        public List<(string Topic, byte[] Payload)> Messages { get; } = [];

        public string PublisherId => "controller";

        public long NextSeq() => ++_seq;

        public Task PublishAsync(string topic, ReadOnlyMemory<byte> payload, bool retain, CancellationToken cancellationToken)
        {
            Messages.Add((topic, payload.ToArray()));
            return Task.CompletedTask;
        }
    }
}
