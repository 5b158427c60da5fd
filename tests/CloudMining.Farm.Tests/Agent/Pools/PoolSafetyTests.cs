using System.Text.Json;
using CloudMining.Farm.Agent.Configuration;
using CloudMining.Farm.Agent.Pools;
using CloudMining.Farm.Shared.Wire;
using CloudMining.Farm.Tests.Agent.Channels;
using CloudMining.Farm.Tests.Infrastructure;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace CloudMining.Farm.Tests.Agent.Pools;

[Trait("Category", "Integration")]
public sealed class PoolSafetyTests
{
    private const string Customer = "stratum+tcp://customer.pool.example:3333";
    private const string House = "stratum+ssl://house.pool.example:443";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static string Dump(PoolsRack rack) =>
        string.Join(Environment.NewLine, rack.Logs.Records.Where(r => r.Level >= LogLevel.Information).TakeLast(30).Select(r => $"{r.Level} {r.Message}"));

    private static MinerPoolAssignment Assignment(string minerId, string url = Customer, int? quota = null) =>
        new(minerId, [new PoolTarget(url, "cust." + minerId, 0, quota), new PoolTarget(House, "house." + minerId, 1)]);

    [Fact]
    public async Task A_desired_state_invalid_as_a_whole_changes_nothing_and_raises_one_rejected_event()
    {
        // avalon: a cgminer-RPC firmware with pool quotas (stock Antminer's web channel and VNish's REST settings have none).
        await using PoolsRack rack = await PoolsRack.StartAsync(["avalon", "braiins-os"]);
        string a = rack[0].Id, b = rack[1].Id;
        await rack.PublishDesiredAsync(PoolsRack.Desired(5, Assignment(a), Assignment(b)));
        Assert.True(await Eventually.TrueAsync(() => rack.Reconciler.LastReport is { Generation: 5, Applied: true }, Patience), Dump(rack));
        string file = Path.Combine(rack.Options.StateDirectory, DesiredPoolStateStore.FileName);
        byte[] stored = await File.ReadAllBytesAsync(file);
        var pools = Enumerable.Range(0, 2).Select(rack.MiningOrder).ToArray();
        long[] writes = [.. rack.Farm.Miners.Select(m => m.WriteCommandsReceived)];

        (string Json, string[] Expected)[] cases =
        [
            (Json(PoolsRack.Desired(3, Assignment(a, "http://customer.pool.example:3333"), Assignment(b))), ["generation: 3 is older than generation 5"]),
            (Json(PoolsRack.Desired(6, Assignment(a), Assignment(b)) with { Rack = "P-02" }), ["site/rack: the state is for test/P-02, but this agent runs test/P-01"]),
            ("{\"schema\":\"farm.v1.desired\",\"generation\":", ["not valid farm.v1.desired JSON"]),
        ];

        int rejected = 0;
        foreach ((string json, string[] expected) in cases)
        {
            await rack.PublishDesiredAsync(json);
            rejected++;
            Assert.True(await Eventually.TrueAsync(() => rack.EventsOf("desired-rejected").Count == rejected, Patience), $"rejected event for {json}");
            var e = rack.EventsOf("desired-rejected")[^1];
            Assert.Equal(("pools", "warning"), (e.Kind, e.Severity));
            Assert.All(expected, text => Assert.Contains(text, e.Detail, StringComparison.Ordinal));
            Assert.Equal(5, rack.Store.Current!.Generation);
            Assert.Equal(stored, await File.ReadAllBytesAsync(file));
            Assert.True(await Eventually.TrueAsync(() => rack.Reconciler.LastReport?.Rejected?.Reason.Contains(expected[^1], StringComparison.Ordinal) == true, Patience));
        }

        // Several poll cycles later the miners are untouched: not one write command was sent.
        long cycle = rack.Polling.LastCycle!.Cycle;
        Assert.True(await Eventually.TrueAsync(() => rack.Reconciler.LastReconciledCycle >= cycle + 2, Patience));
        Assert.Equal(writes, rack.Farm.Miners.Select(m => m.WriteCommandsReceived).ToArray());
        Assert.Equal(pools, Enumerable.Range(0, 2).Select(rack.MiningOrder).ToArray());
        Assert.True(rack.Reconciler.LastReport is { Generation: 5, Applied: true });
        Assert.Contains(rack.Reconciler.LastReport!.Errors, x => x.StartsWith("desired rejected: not valid farm.v1.desired JSON", StringComparison.Ordinal));
        Assert.True(await Eventually.TrueAsync(() => rack.ReportedOnWire.Any(r => r.Rejected is not null && r.Generation == 5), Patience));
        Assert.Empty(rack.EventsOf("desired-miners-rejected"));

        // A valid newer state is taken again and clears the rejection.
        await rack.PublishDesiredAsync(PoolsRack.Desired(6, Assignment(a, quota: 4), Assignment(b)));
        Assert.True(await Eventually.TrueAsync(() => rack.Reconciler.LastReport is { Generation: 6, Applied: true, Rejected: null }, Patience), Dump(rack));
        Assert.Equal(4, rack.MiningOrder(0)[0].Quota);
    }

    [Fact]
    public async Task One_bad_entry_is_rejected_alone_with_its_reason_and_the_other_miners_take_the_new_generation()
    {
        await using PoolsRack rack = await PoolsRack.StartAsync(["antminer", "braiins-os", "luxos"]);
        string a = rack[0].Id, b = rack[1].Id, c = rack[2].Id;
        await rack.PublishDesiredAsync(PoolsRack.Desired(5, Assignment(a), Assignment(b), Assignment(c)));
        Assert.True(await Eventually.TrueAsync(() => rack.Reconciler.LastReport is { Generation: 5, Applied: true }, Patience), Dump(rack));

        // Each generation moves the good miners to a new customer pool; one entry is bad in its own way.
        (Func<string, DesiredPoolStatePayload> Desired, string Bad, string[] Expected)[] cases =
        [
            (url => PoolsRack.Desired(6, Assignment(a, "http://customer.pool.example:3333"), Assignment(b, url), Assignment(c, url)), a, [$"miners[0] ({a}).pools[0].url", "must start with stratum+tcp://"]),
            (url => PoolsRack.Desired(7, Assignment(a, url), Assignment(b, url), Assignment(c, url), Assignment("sim-9999", url)), "sim-9999", ["miners[3].minerId", "'sim-9999' is not a miner of rack P-01"]),
            (url => PoolsRack.Desired(8, Assignment(a, "stratum+tcp://cust:hunter2@customer.pool.example:3333"), Assignment(b, url), Assignment(c, url)), a, [$"miners[0] ({a}).pools[0].url", "no path or credentials"]),
            (url => PoolsRack.Desired(9, Assignment(a, url, quota: 2), Assignment(b, url), Assignment(c, url)), a, [$"miners[0] ({a}).pools[0].quota", "'antminer' cannot set pool quotas"]),
            (url => PoolsRack.Desired(10, Assignment(a, url), Assignment(b, url), new MinerPoolAssignment(c, [new PoolTarget(url, "c.w", 0), new PoolTarget(url, "c.w", 1)])), c, [$"miners[2] ({c}).pools[1]", "same pool and worker"]),
            (url => PoolsRack.Desired(11, Assignment(a, url), Assignment(b, url), Assignment(c, url), Assignment(a, url)), a, [$"miners[0] ({a}).minerId: listed 2 times (miners[0], miners[3])"]),
            (url => PoolsRack.Desired(12, Assignment(a, url), Assignment(b, url), Assignment(c, url, quota: 1_000_001)), c, [$"miners[2] ({c}).pools[0].quota: 1000001 is above 1000000"]),
        ];

        int n = 0;
        foreach ((Func<string, DesiredPoolStatePayload> desired, string bad, string[] expected) in cases)
        {
            string url = $"stratum+tcp://customer{++n}.pool.example:3333";
            DesiredPoolStatePayload state = desired(url);
            var good = new[] { a, b, c }.Where(id => id != bad).ToArray();
            var badPools = rack.Farm.Miners.Where(m => m.Id == bad).Select(m => rack.MiningOrder(rack.Farm.Miners.ToList().IndexOf(m))).ToArray();
            await rack.PublishDesiredAsync(state);

            // Reported at the new generation: the good miners applied (read back), the bad one rejected with the reason.
            Assert.True(
                await Eventually.TrueAsync(() => rack.Reconciler.LastReport is { } r && r.Generation == state.Generation && good.All(id => r.MinerStatus!.Any(s => s.MinerId == id && s.State == ReportedMinerState.Applied)), Patience),
                $"generation {state.Generation}: " + Dump(rack));
            ReportedPoolStatePayload report = rack.Reconciler.LastReport!;
            Assert.False(report.Applied);
            Assert.Null(report.Rejected);
            ReportedMinerStatus rejected = Assert.Single(report.MinerStatus!, s => s.State == ReportedMinerState.Rejected);
            Assert.Equal(bad, rejected.MinerId);
            Assert.All(expected, text => Assert.Contains(text, rejected.Reason, StringComparison.Ordinal));
            Assert.Contains(report.Errors, e => e.StartsWith($"{bad}: rejected: ", StringComparison.Ordinal));
            Assert.All(good, id => Assert.Equal(url, rack.MiningOrder(rack.Farm.Miners.ToList().FindIndex(m => m.Id == id))[0].Url));
            Assert.Equal(badPools, rack.Farm.Miners.Where(m => m.Id == bad).Select(m => rack.MiningOrder(rack.Farm.Miners.ToList().IndexOf(m))).ToArray());

            var e = rack.EventsOf("desired-miners-rejected")[^1];
            Assert.Equal(("pools", "warning"), (e.Kind, e.Severity));
            Assert.All(expected, text => Assert.Contains(text, e.Detail, StringComparison.Ordinal));
            Assert.Equal(state.Generation, rack.Store.Current!.Generation);
            Assert.DoesNotContain(rack.Store.Current.Miners, m => m.MinerId == bad);
        }

        Assert.Empty(rack.EventsOf("desired-rejected"));
        Assert.All(rack.AllEvents, e => Assert.DoesNotContain("hunter2", e.Detail ?? string.Empty, StringComparison.Ordinal));
        Assert.All(rack.ReportedOnWire, r => Assert.DoesNotContain("hunter2", Json(r), StringComparison.Ordinal));

        // A following state without the bad entries is applied whole again.
        await rack.PublishDesiredAsync(PoolsRack.Desired(13, Assignment(a), Assignment(b), Assignment(c)));
        Assert.True(await Eventually.TrueAsync(() => rack.Reconciler.LastReport is { Generation: 13, Applied: true, Errors.Count: 0 }, Patience), Dump(rack));
        Assert.DoesNotContain(rack.Reconciler.LastReport!.MinerStatus!, s => s.State == ReportedMinerState.Rejected);
    }

    [Fact]
    public async Task A_refusing_miner_is_reported_with_the_reason_and_not_retried_before_its_backoff()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 22, 1, 0, 0, TimeSpan.Zero));
        // Every shipped profile has a pool channel now: a copy of the profiles where whatsminer has none stands for a read-only firmware.
        string profiles = Directory.CreateTempSubdirectory("farm-profiles-readonly-").FullName;
        foreach (string file in Directory.EnumerateFiles(RepoPaths.FirmwareProfiles, "*.yaml"))
        {
            string yaml = File.ReadAllText(file);
            File.WriteAllText(Path.Combine(profiles, Path.GetFileName(file)), Path.GetFileName(file) == "whatsminer.yaml" ? yaml[..yaml.IndexOf("\nweb:", StringComparison.Ordinal)] + "\n" : yaml);
        }

        await using PoolsRack rack = await PoolsRack.StartAsync(["avalon", "whatsminer"], writeAccess: false, mqtt: false, time: clock, configure: o => o.ProfilesDirectory = profiles);
        string denied = rack[0].Id, readOnly = rack[1].Id;
        Assert.True(await Eventually.TrueAsync(() => rack.Polling.LastCycle is { Cycle: 1 }, Patience));

        Assert.Equal(DesiredIntakeOutcome.Accepted, rack.Store.Accept(PoolsRack.Desired(1, Assignment(denied), Assignment(readOnly)), "test"));
        Assert.True(await Eventually.TrueAsync(() => rack.Reconciler.LastReport?.MinerStatus?.Any(s => s.State == ReportedMinerState.Failed) == true, Patience), Dump(rack));
        ReportedPoolStatePayload report = rack.Reconciler.LastReport!;
        ReportedMinerStatus deniedStatus = report.MinerStatus!.Single(s => s.MinerId == denied);
        Assert.Contains("Access denied to 'addpool'", deniedStatus.Reason, StringComparison.Ordinal);
        Assert.Equal(clock.GetUtcNow() + PoolReconciler.FirstRetryDelay, deniedStatus.NextRetryAt);
        // A firmware without pool actions is not tried at all: its entry is rejected when the state arrives.
        ReportedMinerStatus readOnlyStatus = report.MinerStatus!.Single(s => s.MinerId == readOnly);
        Assert.Equal(ReportedMinerState.Rejected, readOnlyStatus.State);
        Assert.Contains("'whatsminer' has no channel that changes pools", readOnlyStatus.Reason, StringComparison.Ordinal);
        Assert.Equal(2, report.Errors.Count);
        Assert.False(report.Applied);
        Assert.Equal(1, rack[0].WriteCommandsReceived);
        Assert.Equal(0, rack[1].WriteCommandsReceived);

        // Poll cycles keep coming every 10 s; within the first minute nothing is sent again.
        long cycle = 1;
        async Task NextCycleAsync()
        {
            clock.Advance(rack.Options.PollInterval);
            cycle++;
            Assert.True(await Eventually.TrueAsync(() => rack.Reconciler.LastReconciledCycle == cycle, Patience), $"pass after cycle {cycle}");
        }

        for (int i = 0; i < 5; i++)
        {
            await NextCycleAsync();
            Assert.Equal(1, rack[0].WriteCommandsReceived);
        }

        await NextCycleAsync(); // 60 s: the first backoff is over
        Assert.Equal(2, rack[0].WriteCommandsReceived);
        Assert.Equal(clock.GetUtcNow() + TimeSpan.FromMinutes(2), rack.Reconciler.LastReport!.MinerStatus!.Single(s => s.MinerId == denied).NextRetryAt);

        for (int i = 0; i < 11; i++)
        {
            await NextCycleAsync();
            Assert.Equal(2, rack[0].WriteCommandsReceived);
        }

        await NextCycleAsync(); // 120 s after the second try: the doubled backoff is over
        Assert.Equal(3, rack[0].WriteCommandsReceived);
        Assert.Equal(0, rack[1].WriteCommandsReceived);
        Assert.Equal(3, rack.EventsOf("pools-failed").Count(e => e.MinerId == denied));
        Assert.DoesNotContain(rack.EventsOf("pools-failed"), e => e.MinerId == readOnly);
        Assert.Equal(readOnly, Assert.Single(rack.EventsOf("desired-miners-rejected")).MinerId);
        Assert.Empty(rack.EventsOf("pools-applied"));
    }

    [Fact]
    public async Task Pool_passwords_reach_the_miner_but_never_logs_events_or_mqtt_payloads()
    {
        const string secret = "Hunter2-Pool-Secret";
        const string echoed = "Comma,Pw-Secret-77"; // a comma makes cgminer refuse addpool and echo the parameter back
        // The second miner takes pools through cgminer's addpool (Avalon), which refuses a comma and echoes the parameter.
        await using PoolsRack rack = await PoolsRack.StartAsync(["antminer", "avalon"], configure: o =>
        {
            o.PoolCredentials.Add(new PoolCredentialOptions { Url = Customer, User = "*", Password = secret });
            o.PoolCredentials.Add(new PoolCredentialOptions { Url = House, User = "house.sim-0002", Password = echoed });
        });
        string a = rack[0].Id, b = rack[1].Id;
        await rack.PublishDesiredAsync(PoolsRack.Desired(1, Assignment(a), Assignment(b)));

        Assert.True(await Eventually.TrueAsync(() => rack.Reconciler.LastReport?.MinerStatus?.Any(s => s.MinerId == a && s.State == ReportedMinerState.Applied) == true, Patience), Dump(rack));
        Assert.True(rack[0].HasPoolPassword(Customer, "cust." + a, secret), "the configured password went to the miner");
        Assert.True(rack[0].HasPoolPassword(House, "house." + a, PoolCredentials.DefaultPassword), "no entry: the pools' usual \"x\"");
        Assert.True(await Eventually.TrueAsync(() => rack.Reconciler.LastReport?.MinerStatus?.Any(s => s.MinerId == b && s.State == ReportedMinerState.Failed) == true, Patience), Dump(rack));
        string reason = rack.Reconciler.LastReport!.MinerStatus!.Single(s => s.MinerId == b).Reason!;
        Assert.Contains("Invalid addpool details", reason, StringComparison.Ordinal);
        Assert.Contains("***", reason, StringComparison.Ordinal);
        Assert.True(await Eventually.TrueAsync(() => rack.ReportedOnWire.Any(r => r.MinerStatus?.Any(s => s.State == ReportedMinerState.Failed) == true), Patience));

        // Everything the agent wrote anywhere: log lines with their properties, events, every MQTT payload, its files.
        List<string> written = ChannelPools.EverythingWritten(rack);
        Assert.Contains(written, w => w.Contains("Invalid addpool details", StringComparison.Ordinal));
        Assert.All(written, w =>
        {
            Assert.DoesNotContain(secret, w, StringComparison.Ordinal);
            Assert.DoesNotContain(echoed, w, StringComparison.Ordinal);
            Assert.DoesNotContain("Pw-Secret-77", w, StringComparison.Ordinal);
        });
    }

    private static string Json(DesiredPoolStatePayload desired) => JsonSerializer.Serialize(desired, FarmJsonContext.Default.DesiredPoolStatePayload);

    private static string Json(ReportedPoolStatePayload reported) => JsonSerializer.Serialize(reported, FarmJsonContext.Default.ReportedPoolStatePayload);
}
