using System.Text;
using System.Text.Json;
using CloudMining.Farm.Agent.Configuration;
using CloudMining.Farm.Agent.Events;
using CloudMining.Farm.Agent.Pools;
using CloudMining.Farm.Shared.Wire;
using CloudMining.Farm.Tests.Agent.Telemetry;
using CloudMining.Farm.Tests.Infrastructure;
using Microsoft.Extensions.Logging;
using Xunit;

namespace CloudMining.Farm.Tests.Agent.Pools;

/// <summary>Hostile desired states (a 10 MB pool URL, megabyte ids, control characters) through the agent's intake: bounded echoes everywhere, no secret.</summary>
[Trait("Category", "Integration")]
public sealed class DesiredIntakeBoundsTests
{
    private const string Customer = "stratum+tcp://customer.pool.example:3333";
    private const string House = "stratum+ssl://house.pool.example:443";
    private const string Secret = "Hunter2-Pool-Secret";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private static readonly JsonSchemaSubsetValidatorSet Schemas = new();

    /// <summary>No log line, property or event detail may come near the size of what was sent.</summary>
    private const int MaxEchoedChars = 4096;

    private static string Dump(PoolsRack rack) =>
        string.Join(Environment.NewLine, rack.Logs.Records.Where(r => r.Level >= LogLevel.Information).TakeLast(30).Select(r => $"{r.Level} {BoundedText.Echo(r.Message, 400)}"));

    private static MinerPoolAssignment Assignment(string minerId, string url = Customer) =>
        new(minerId, [new PoolTarget(url, "cust." + minerId, 0), new PoolTarget(House, "house." + minerId, 1)]);

    [Fact]
    public async Task A_10_MB_pool_url_and_other_oversized_input_are_refused_with_bounded_echoes_and_no_secret()
    {
        await using PoolsRack rack = await PoolsRack.StartAsync(["antminer", "braiins-os"], configure: o =>
            o.PoolCredentials.Add(new PoolCredentialOptions { Url = Customer, User = "*", Password = Secret }));
        string a = rack[0].Id, b = rack[1].Id;
        await rack.PublishDesiredAsync(PoolsRack.Desired(1, Assignment(a), Assignment(b)));
        Assert.True(await Eventually.TrueAsync(() => rack.Reconciler.LastReport is { Generation: 1, Applied: true }, Patience), Dump(rack));

        // 1. The probe: one pool URL of 10 MB (with the pool password in it, as a careless controller might send it).
        string huge = "stratum+tcp://u:" + Secret + "@" + new string('a', 10 * 1024 * 1024) + ".example:3333";
        byte[] payload = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(PoolsRack.Desired(2, Assignment(a, huge), Assignment(b, "stratum+tcp://new.pool.example:3333")), FarmJsonContext.Default.DesiredPoolStatePayload));
        Assert.Equal(DesiredIntakeOutcome.Rejected, rack.Store.Accept(payload, "MQTT " + PoolsRack.DesiredTopic));
        Assert.Equal(1, rack.Store.Current!.Generation);
        Assert.StartsWith($"the payload is {payload.Length} bytes; at most {DesiredPoolStateStore.MaxPayloadBytes} are read", rack.Store.Rejection!.Reason, StringComparison.Ordinal);
        Assert.True(await Eventually.TrueAsync(() => rack.Reconciler.LastReport?.Rejected is { Generation: null }, Patience), Dump(rack));

        // 2. Under the size limit but hostile in every entry: a 150,000-character URL, credentials in a URL, control
        // characters, a 50,000-character miner id, and more unknown miners than a report lists. The good miner still moves.
        string longUrl = "stratum+tcp://" + new string('b', 150_000) + ":3333";
        var entries = new List<MinerPoolAssignment>
        {
            new(a, [new PoolTarget(longUrl, "cust." + a, 0), new PoolTarget("stratum+tcp://u:" + Secret + "@pool.example:3333\u0007", "w\r\n", 1)]),
            Assignment(b, "stratum+tcp://new.pool.example:3333"),
            new(new string('m', 50_000), [new PoolTarget(Customer, "w", 0)]),
            Assignment("ctl\u001b[2Jmin\ner"),
        };
        entries.AddRange(Enumerable.Range(0, 60).Select(i => Assignment($"ghost-{i:000}-{new string('g', 40)}")));
        DesiredPoolStatePayload hostile = PoolsRack.Desired(3, [.. entries]);
        byte[] hostileBytes = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(hostile, FarmJsonContext.Default.DesiredPoolStatePayload));
        Assert.InRange(hostileBytes.Length, 200_000, DesiredPoolStateStore.MaxPayloadBytes);
        Assert.Equal(DesiredIntakeOutcome.Accepted, rack.Store.Accept(hostileBytes, "MQTT " + PoolsRack.DesiredTopic));
        Assert.True(
            await Eventually.TrueAsync(() => rack.Reconciler.LastReport is { Generation: 3 } r && r.MinerStatus!.Any(s => s.MinerId == b && s.State == ReportedMinerState.Applied), Patience),
            Dump(rack));
        Assert.Equal("stratum+tcp://new.pool.example:3333", rack.MiningOrder(1)[0].Url);
        Assert.Equal(Customer, rack.MiningOrder(0)[0].Url);
        ReportedPoolStatePayload report = rack.Reconciler.LastReport!;
        ReportedMinerStatus rejectedA = report.MinerStatus!.Single(s => s.MinerId == a);
        Assert.Equal(ReportedMinerState.Rejected, rejectedA.State);
        Assert.Contains("pools[0].url: is 150019 characters long; at most 256 are allowed", rejectedA.Reason, StringComparison.Ordinal);
        Assert.Contains("pools[1].url: 'stratum+tcp://pool.example:3333\\u0007' must be scheme://host:port", rejectedA.Reason, StringComparison.Ordinal);
        Assert.Contains("pools[1].user: 'w\\u000D\\u000A' contains", rejectedA.Reason, StringComparison.Ordinal);
        Assert.Contains(report.Errors, e => e.StartsWith("miners[2]: rejected: miners[2].minerId: 'mmmm", StringComparison.Ordinal) && e.Contains("… (50000 chars)", StringComparison.Ordinal));
        Assert.Contains(report.Errors, e => e.Contains("\\u001B[2Jmin\\u000Aer", StringComparison.Ordinal));
        Assert.Contains(report.Errors, e => e.StartsWith("43 more desired entries rejected (not listed; 63 in all)", StringComparison.Ordinal));
        Assert.False(report.Applied);

        // The report on the wire (retained) is what the budget allows, valid, and names the rejected miner.
        Assert.True(await Eventually.TrueAsync(() => rack.ReportedOnWire.Any(r => r.Generation == 3 && r.MinerStatus!.Any(s => s.MinerId == b && s.State == ReportedMinerState.Applied)), Patience));
        string? retained = await rack.RetainedAsync(FarmTopics.Reported(PoolsRack.Site, PoolsRack.RackId));
        Assert.NotNull(retained);
        Assert.Contains("\"state\":\"rejected\"", retained, StringComparison.Ordinal);

        // Everything the agent wrote: log lines (with their properties), events, every MQTT payload it sent.
        var agentPayloads = rack.Observed!.Messages.Where(m => !m.Topic.EndsWith("/desired", StringComparison.Ordinal)).ToList();
        Assert.All(agentPayloads, m => Assert.InRange(m.Payload.Length, 1, ReportedStateBudget.MaxBytes));
        Assert.All(agentPayloads.Where(m => m.Topic.EndsWith("/reported", StringComparison.Ordinal) || m.Topic.EndsWith("/events", StringComparison.Ordinal)), m => Assert.Empty(Schemas.Validate(m.Payload.Span)));
        Assert.All(rack.Logs.Records, r =>
        {
            Assert.InRange(r.Message.Length, 0, MaxEchoedChars);
            Assert.All(r.Properties.Values, v => Assert.InRange(v?.ToString()?.Length ?? 0, 0, MaxEchoedChars));
        });
        Assert.All(rack.AllEvents, e => Assert.InRange(e.Detail?.Length ?? 0, 0, RackEventBus.MaxDetailChars + BoundedText.MaxSuffixChars));
        Assert.Contains(rack.EventsOf("desired-miners-rejected"), e => e.Detail!.Contains("taken for 1 miner(s); 63 entries rejected", StringComparison.Ordinal));

        var written = new List<string>();
        written.AddRange(rack.Logs.Records.Select(r => r.Message + " " + string.Join(" ", r.Properties.Values) + " " + r.Exception));
        written.AddRange(rack.AllEvents.Select(e => e.ToString()));
        written.AddRange(agentPayloads.Select(m => m.Topic + " " + Encoding.UTF8.GetString(m.Payload.Span)));
        Assert.True(rack[0].HasPoolPassword(Customer, "cust." + a, Secret), "the configured password still reaches the miner");
        Assert.All(written, w => Assert.DoesNotContain(Secret, w, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_desired_state_naming_an_unknown_miner_through_mosquitto_moves_the_others_and_the_retained_report_names_it()
    {
        await using PoolsRack rack = await PoolsRack.StartAsync(["antminer", "braiins-os"]);
        string a = rack[0].Id, b = rack[1].Id;
        await rack.PublishDesiredAsync(PoolsRack.Desired(1, Assignment(a), Assignment(b)));
        Assert.True(await Eventually.TrueAsync(() => rack.ReportedOnWire.Any(r => r.Generation == 1 && r.Applied == true), Patience), Dump(rack));

        // The probe of issue 10: the controller sold a made-up miner and names it in the rack's next desired state.
        const string NewPool = "stratum+tcp://next.pool.example:3333";
        await rack.PublishDesiredAsync(PoolsRack.Desired(2, Assignment(a, NewPool), Assignment("R01-ghost", NewPool), Assignment(b, NewPool)));

        Assert.True(
            await Eventually.TrueAsync(() => Enumerable.Range(0, 2).All(i => rack.MiningOrder(i).Select(p => p.Url).SequenceEqual([NewPool, House])), Patience),
            "the known miners moved to generation 2's pools: " + Dump(rack));
        string? retained = null;
        Assert.True(
            await Eventually.TrueAsync(
                async () =>
                {
                    retained = await rack.RetainedAsync(FarmTopics.Reported(PoolsRack.Site, PoolsRack.RackId));
                    return retained is not null && JsonSerializer.Deserialize(retained, FarmJsonContext.Default.ReportedPoolStatePayload) is { Generation: 2 } r
                        && r.MinerStatus!.Count(s => s.State == ReportedMinerState.Applied && s.AppliedGeneration == 2) == 2;
                },
                Patience),
            "retained report of generation 2: " + retained);
        ReportedPoolStatePayload report = JsonSerializer.Deserialize(retained!, FarmJsonContext.Default.ReportedPoolStatePayload)!;
        ReportedMinerStatus ghost = Assert.Single(report.MinerStatus!, s => s.State == ReportedMinerState.Rejected);
        Assert.Equal("R01-ghost", ghost.MinerId);
        Assert.Contains("miners[1].minerId: 'R01-ghost' is not a miner of rack P-01", ghost.Reason, StringComparison.Ordinal);
        Assert.Equal("R01-ghost: rejected: " + ghost.Reason, Assert.Single(report.Errors));
        Assert.False(report.Applied);
        Assert.Null(report.Rejected);
        Assert.Empty(Schemas.Validate(Encoding.UTF8.GetBytes(retained!)));
        Assert.Equal([a, b], report.Miners.Select(m => m.MinerId).Order().ToArray());
        Assert.All(report.Miners, m => Assert.Equal(NewPool, m.Pools[0].Url));
        Assert.Empty(rack.EventsOf("desired-rejected"));
        Assert.Equal("R01-ghost", Assert.Single(rack.EventsOf("desired-miners-rejected")).MinerId);
    }
}
