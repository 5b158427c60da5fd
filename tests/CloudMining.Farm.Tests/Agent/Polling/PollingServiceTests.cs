using CloudMining.Farm.Agent.Polling;
using CloudMining.Farm.Agent.Status;
using CloudMining.Farm.Simulator.Faults;
using CloudMining.Farm.Tests.Infrastructure;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace CloudMining.Farm.Tests.Agent.Polling;

public sealed class PollingServiceTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(2000);
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static int TransitionLines(InMemoryLoggerProvider logs, string minerId) =>
        logs.Records.Count(r => r.Property("MinerId") == minerId && r.Message.Contains(" is now ", StringComparison.Ordinal));

    private static IEnumerable<string?> States(InMemoryLoggerProvider logs, string minerId) =>
        logs.Records.Where(r => r.Property("MinerId") == minerId && r.Properties.ContainsKey("State")).Select(r => r.Property("State"));

    [Fact]
    public async Task Faulted_miners_get_a_clear_state_and_one_log_line_while_the_others_are_polled_every_cycle()
    {
        await using SimulatedRack rack = await SimulatedRack.StartAsync(miners: 8, Interval, minerTimeout: TimeSpan.FromMilliseconds(800), retries: 1);
        var logs = new InMemoryLoggerProvider();
        RackPoller poller = rack.CreatePoller(logs, TimeProvider.System);
        MinerHealthTracker tracker = poller.Tracker;
        using var service = new PollingService(poller, Options.Create(rack.Options), TimeProvider.System, logs.CreateLogger<PollingService>());
        await service.StartAsync(CancellationToken.None);
        try
        {
            Assert.True(
                await Eventually.TrueAsync(() => tracker.Current().All(m => m.State == MinerHealthState.Ok), Patience),
                "every miner Ok: " + string.Join("; ", tracker.Current().Select(m => $"{m.MinerId} {m.State} {m.Reason}")));
            Assert.All(tracker.Current(), m => Assert.True(m.Snapshot!.Hashrate5s!.Value.TerahashesPerSecond > 1));

            rack[1].InjectFault(MinerFault.Hang());
            rack[2].InjectFault(MinerFault.Garbage());
            rack[3].InjectFault(MinerFault.Refuse());
            rack[4].SetPower(false);
            var expected = new Dictionary<int, MinerHealthState>
            {
                [1] = MinerHealthState.Timeout,
                [2] = MinerHealthState.Malformed,
                [3] = MinerHealthState.Unreachable,
                [4] = MinerHealthState.Unreachable,
            };
            Assert.True(
                await Eventually.TrueAsync(() => expected.All(e => tracker[e.Key].State == e.Value), Patience),
                "fault states: " + string.Join("; ", expected.Keys.Select(i => $"{tracker[i].MinerId} {tracker[i].State} {tracker[i].Reason}")));

            // Three more cycles: the healthy miners succeed in every one, the faulted ones are still tried in every one,
            // and no cycle runs over the interval although one miner hangs.
            int[] healthy = [0, 5, 6, 7];
            for (int round = 0; round < 3; round++)
            {
                long cycle = service.LastCycle!.Cycle;
                Assert.True(await Eventually.TrueAsync(() => service.LastCycle!.Cycle > cycle, Patience), "next cycle finished");
                PollCycleResult finished = service.LastCycle!;
                // The hung miner's budget (2 × 400 ms + 50 ms) bounds the cycle; the slack is for a shared, loaded test machine.
                // An unbounded hang would never finish the cycle at all.
                Assert.True(finished.Duration < Interval * 3, $"cycle {finished.Cycle} took {finished.Duration}");
                foreach (int i in healthy)
                {
                    Assert.True(tracker[i].LastSuccessAt >= finished.StartedAt, $"{tracker[i].MinerId} succeeded in cycle {finished.Cycle}");
                }

                foreach (int i in expected.Keys)
                {
                    Assert.True(tracker[i].LastPolledAt >= finished.StartedAt, $"{tracker[i].MinerId} was polled in cycle {finished.Cycle}");
                    Assert.True(tracker[i].LastSuccessAt < finished.StartedAt, $"{tracker[i].MinerId} did not succeed while faulted");
                }
            }

            foreach ((int i, MinerHealthState state) in expected)
            {
                string id = rack[i].Id;
                Assert.True(
                    States(logs, id).SequenceEqual(["Ok", state.ToString()]),
                    string.Join(Environment.NewLine, logs.Records.Where(r => r.Property("MinerId") == id).Select(r => r.Message)));
            }

            foreach (int i in healthy)
            {
                Assert.Equal(1, TransitionLines(logs, rack[i].Id));
            }

            // Recovery: faults cleared, power back; each comes back to Ok with exactly one more line.
            rack[1].ClearFaults();
            rack[2].ClearFaults();
            rack[3].ClearFaults();
            rack[4].SetPower(true);
            Assert.True(
                await Eventually.TrueAsync(() => tracker.Current().All(m => m.State == MinerHealthState.Ok), Patience),
                "recovered: " + string.Join("; ", tracker.Current().Select(m => $"{m.MinerId} {m.State} {m.Reason}")));
            foreach ((int i, MinerHealthState state) in expected)
            {
                Assert.Equal(["Ok", state.ToString(), "Ok"], States(logs, rack[i].Id));
            }

            // status.json catches up at the end of the cycle in which the last miner recovered.
            AgentStatusDocument? doc = null;
            Assert.True(
                await Eventually.TrueAsync(
                    async () =>
                    {
                        doc = await StatusFile.ReadAsync(rack.Options.StateDirectory, CancellationToken.None);
                        return doc is not null && doc.Miners.All(m => m.State == "Ok");
                    },
                    Patience),
                "status.json shows every miner Ok");
            Assert.Equal(8, doc!.Miners.Count);
            Assert.Equal(rack[1].Id, doc.Miners[1].Id);
            Assert.StartsWith("Timeout", doc.Miners[1].LastError, StringComparison.Ordinal);
            Assert.All(doc.Miners, m => Assert.Equal("Ok", m.State));
        }
        finally
        {
            await service.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task Service_polls_once_at_start_then_once_per_interval_of_its_clock_and_stamps_status_with_it()
    {
        await using SimulatedRack rack = await SimulatedRack.StartAsync(miners: 3, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(2));
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 21, 6, 0, 0, TimeSpan.Zero));
        var logs = new InMemoryLoggerProvider();
        RackPoller poller = rack.CreatePoller(logs, time);
        using var service = new PollingService(poller, Options.Create(rack.Options), time, logs.CreateLogger<PollingService>());
        await service.StartAsync(CancellationToken.None);
        try
        {
            Assert.True(await Eventually.TrueAsync(() => service.LastCycle?.Cycle == 1, Patience), "first cycle at start");
            AgentStatusDocument? first = null;
            Assert.True(
                await Eventually.TrueAsync(async () => (first = await StatusFile.ReadAsync(rack.Options.StateDirectory, CancellationToken.None))?.Cycle == 1, Patience),
                "status.json of cycle 1");
            Assert.Equal(time.GetUtcNow(), first!.WrittenAt);
            Assert.All(poller.Tracker.Current(), m => Assert.Equal(time.GetUtcNow(), m.LastSuccessAt));

            time.Advance(rack.Options.PollInterval);
            Assert.True(await Eventually.TrueAsync(() => service.LastCycle?.Cycle == 2, Patience), "second cycle after one interval");
            Assert.True(
                await Eventually.TrueAsync(async () => (await StatusFile.ReadAsync(rack.Options.StateDirectory, CancellationToken.None))?.Cycle == 2, Patience),
                "status.json of cycle 2");
            AgentStatusDocument? second = await StatusFile.ReadAsync(rack.Options.StateDirectory, CancellationToken.None);
            Assert.Equal(first.WrittenAt + rack.Options.PollInterval, second!.WrittenAt);
            Assert.Equal(1 + 3, logs.Records.Count); // the start line and one "is now Ok" per miner, nothing per cycle
        }
        finally
        {
            await service.StopAsync(CancellationToken.None);
        }
    }
}
