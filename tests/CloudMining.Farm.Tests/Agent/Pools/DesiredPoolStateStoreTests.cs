using System.Text;
using System.Text.Json;
using CloudMining.Farm.Agent.Configuration;
using CloudMining.Farm.Agent.Events;
using CloudMining.Farm.Agent.Pools;
using CloudMining.Farm.Shared.Wire;
using CloudMining.Farm.Shared.Firmware;
using CloudMining.Farm.Tests.Infrastructure;
using Xunit;

namespace CloudMining.Farm.Tests.Agent.Pools;

public sealed class DesiredPoolStateStoreTests : IDisposable
{
    private static readonly FirmwareProfileCatalog Catalog = FirmwareProfileCatalog.Load(RepoPaths.FirmwareProfiles);
    private readonly AgentOptions _options;
    private readonly InMemoryLoggerProvider _logs = new();

    public DesiredPoolStateStoreTests()
    {
        _options = new AgentOptions { Site = "s1", RackId = "r1", StateDirectory = Directory.CreateTempSubdirectory("farm-desired-store-").FullName };
        _options.Miners.Add(new MinerOptions { Id = "m1", Address = "10.0.0.1", Profile = "antminer" });
    }

    public void Dispose() => Directory.Delete(_options.StateDirectory, recursive: true);

    private DesiredPoolStateStore NewStore(RackEventBus events) =>
        new(Microsoft.Extensions.Options.Options.Create(_options), Catalog, null, events, _logs.CreateLogger<DesiredPoolStateStore>());

    private static DesiredPoolStatePayload Desired(long generation) => new()
    {
        Publisher = "controller",
        Seq = generation,
        Timestamp = DateTimeOffset.UnixEpoch,
        Site = "s1",
        Rack = "r1",
        Generation = generation,
        Miners = [new MinerPoolAssignment("m1", [new PoolTarget("stratum+tcp://p.example:3333", "acct.m1", 0)])],
    };

    [Theory]
    [InlineData("[1,2]")]
    [InlineData("{\"schema\":7}")]
    [InlineData("{\"schema\":\"farm.v1.reported\"}")]
    [InlineData("{\"schema\":\"farm.v1.desired\",\"publisher\":\"c\",\"seq\":1,\"ts\":\"2026-01-01T00:00:00Z\",\"site\":\"s1\",\"rack\":\"r1\",\"generation\":1}")]
    [InlineData("{\"schema\":\"farm.v1.desired\",\"publisher\":\"c\",\"seq\":1,\"ts\":\"2026-01-01T00:00:00Z\",\"site\":\"s1\",\"rack\":\"r1\",\"generation\":1,\"miners\":null}")]
    [InlineData("{\"schema\":\"farm.v1.desired\",\"publisher\":\"c\",\"seq\":1,\"ts\":\"2026-01-01T00:00:00Z\",\"site\":\"s9\",\"rack\":\"r1\",\"generation\":1,\"miners\":[]}")]
    [InlineData("{\"schema\":\"farm.v1.desired\"} trailing")]
    public void Unusable_payloads_are_rejected_with_one_event_and_nothing_on_disk(string json)
    {
        var events = new RackEventBus(_logs.CreateLogger<RackEventBus>());
        DesiredPoolStateStore store = NewStore(events);

        Assert.Equal(DesiredIntakeOutcome.Rejected, store.Accept(Encoding.UTF8.GetBytes(json), "test"));

        RackEvent e = Assert.Single(events.Recent);
        Assert.Equal(("pools", "warning", "desired-rejected"), (e.Kind, e.Severity, e.Action));
        Assert.Null(store.Current);
        Assert.NotNull(store.Rejection);
        Assert.Empty(Directory.EnumerateFiles(_options.StateDirectory));
    }

    [Fact]
    public void A_valid_state_is_written_whole_and_loaded_by_the_next_store_and_a_redelivery_is_unchanged()
    {
        var events = new RackEventBus(_logs.CreateLogger<RackEventBus>());
        DesiredPoolStateStore store = NewStore(events);
        int changed = 0;
        store.Changed += (_, _) => changed++;

        Assert.Equal(DesiredIntakeOutcome.Accepted, store.Accept(Desired(3), "test"));
        Assert.Equal(DesiredIntakeOutcome.Unchanged, store.Accept(Desired(3) with { Seq = 99, Publisher = "controller-2" }, "test"));
        Assert.Equal(1, changed);
        Assert.Equal(DesiredPoolStateStore.FileName, Path.GetFileName(Assert.Single(Directory.EnumerateFiles(_options.StateDirectory))));
        Assert.Equal(3, JsonSerializer.Deserialize(File.ReadAllBytes(store.FilePath), FarmJsonContext.Default.DesiredPoolStatePayload)!.Generation);

        DesiredPoolStateStore restarted = NewStore(events);
        Assert.Equal(3, restarted.Current?.Generation);
        Assert.Equal(DesiredIntakeOutcome.Rejected, restarted.Accept(Desired(2), "test"));
        Assert.Contains("generation: 2 is older than generation 3", restarted.Rejection!.Reason, StringComparison.Ordinal);
        Assert.Equal(DesiredIntakeOutcome.Accepted, restarted.Accept(Desired(4), "test"));
        Assert.Null(restarted.Rejection);
        Assert.DoesNotContain(events.Recent, e => e.Action != "desired-rejected");
    }

    [Fact]
    public void A_bad_entry_is_rejected_alone_and_a_stored_state_naming_a_removed_miner_keeps_the_others()
    {
        _options.Miners.Add(new MinerOptions { Id = "m2", Address = "10.0.0.2", Profile = "antminer" });
        var events = new RackEventBus(_logs.CreateLogger<RackEventBus>());
        DesiredPoolStateStore store = NewStore(events);
        string json = "{\"schema\":\"farm.v1.desired\",\"publisher\":\"c\",\"seq\":1,\"ts\":\"2026-01-01T00:00:00Z\",\"site\":\"s1\",\"rack\":\"r1\",\"generation\":1," +
            "\"miners\":[{\"minerId\":\"m1\",\"pools\":[null]},null,{\"minerId\":\"m2\",\"pools\":[{\"url\":\"stratum+tcp://p.example:3333\",\"user\":\"acct.m2\",\"priority\":0}]}]}";

        Assert.Equal(DesiredIntakeOutcome.Accepted, store.Accept(Encoding.UTF8.GetBytes(json), "test"));

        Assert.Equal(["m2"], store.Current!.Miners.Select(m => m.MinerId));
        Assert.Equal([(0, "m1", "miners[0] (m1).pools[0]: is null."), (1, null, "miners[1]: is null.")], store.RejectedMiners.Select(r => (r.Index, r.MinerId, r.Reason)));
        Assert.Null(store.Rejection);
        RackEvent e = Assert.Single(events.Recent);
        Assert.Equal(("pools", "warning", "desired-miners-rejected", null), (e.Kind, e.Severity, e.Action, e.MinerId));
        Assert.Contains("taken for 1 miner(s); 2 entries rejected", e.Detail, StringComparison.Ordinal);
        Assert.Equal(DesiredIntakeOutcome.Unchanged, store.Accept(Encoding.UTF8.GetBytes(json), "test"));

        // m2 leaves the rack's configuration: at the next start the stored state is still taken, m2's entry is rejected alone.
        _options.Miners.RemoveAt(1);
        DesiredPoolStateStore restarted = NewStore(events);
        Assert.Equal(1, restarted.Current!.Generation);
        Assert.Empty(restarted.Current.Miners);
        Assert.Contains(restarted.RejectedMiners, r => r.MinerId == "m2" && r.Reason.Contains("is not a miner of rack r1", StringComparison.Ordinal));
        Assert.Contains(_logs.Records, r => r.Message.Contains("entries of the stored desired pool state are not applied", StringComparison.Ordinal));
    }

    [Fact]
    public void A_payload_over_the_size_limit_is_refused_unread_with_a_short_reason()
    {
        var events = new RackEventBus(_logs.CreateLogger<RackEventBus>());
        DesiredPoolStateStore store = NewStore(events);
        byte[] big = Encoding.UTF8.GetBytes("{\"schema\":\"farm.v1.desired\",\"x\":\"" + new string('x', DesiredPoolStateStore.MaxPayloadBytes) + "\"}");

        Assert.Equal(DesiredIntakeOutcome.Rejected, store.Accept(big, "test"));

        Assert.Equal($"the payload is {big.Length} bytes; at most {DesiredPoolStateStore.MaxPayloadBytes} are read (DesiredPoolStateStore.MaxPayloadBytes); the controller must send a smaller state", store.Rejection!.Reason);
        Assert.InRange(Assert.Single(events.Recent).Detail!.Length, 1, 300);
        Assert.Null(store.Current);
    }
}
