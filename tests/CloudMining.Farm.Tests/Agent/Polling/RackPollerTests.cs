using CloudMining.Farm.Agent.Polling;
using CloudMining.Farm.Simulator.Faults;
using CloudMining.Farm.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;
using Polly.CircuitBreaker;
using Xunit;

namespace CloudMining.Farm.Tests.Agent.Polling;

public sealed class RackPollerTests
{
    private static IEnumerable<string?> States(InMemoryLoggerProvider logs, string minerId) =>
        logs.Records.Where(r => r.Property("MinerId") == minerId && r.Properties.ContainsKey("State")).Select(r => r.Property("State"));

    [Fact]
    public async Task Circuit_opens_after_repeated_failures_skips_the_miner_and_half_opens_after_the_break()
    {
        // The poller's clock is manual, so the breaker's window and break pass only when the test says so.
        await using SimulatedRack rack = await SimulatedRack.StartAsync(miners: 2, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(2), retries: 0, failureThreshold: 3);
        var time = new FakeTimeProvider();
        var logs = new InMemoryLoggerProvider();
        RackPoller poller = rack.CreatePoller(logs, time);
        MinerHealthTracker tracker = poller.Tracker;
        string id = rack[0].Id;

        async Task Cycle()
        {
            time.Advance(rack.Options.PollInterval);
            await poller.PollOnceAsync(CancellationToken.None);
        }

        await Cycle();
        Assert.Equal(MinerHealthState.Ok, tracker[0].State);

        rack[0].InjectFault(MinerFault.Refuse());
        await Cycle();
        await Cycle();
        Assert.Equal(MinerHealthState.Unreachable, tracker[0].State);
        Assert.Equal(CircuitState.Closed, poller.CircuitState(0));
        await Cycle();
        Assert.Equal(MinerHealthState.CircuitOpen, tracker[0].State);
        Assert.Equal(CircuitState.Open, poller.CircuitState(0));
        Assert.Contains("3 failed polls in a row", tracker[0].Reason, StringComparison.Ordinal);

        // While open the miner is not contacted at all: even healthy again, it gets no request and stays CircuitOpen.
        rack[0].ClearFaults();
        long requests = rack[0].RequestsReceived;
        await Cycle();
        await Cycle();
        Assert.Equal(requests, rack[0].RequestsReceived);
        Assert.Equal(MinerHealthState.CircuitOpen, tracker[0].State);
        Assert.Equal(MinerHealthState.Ok, tracker[1].State);

        // After the break one probe goes through; it succeeds and the circuit closes.
        time.Advance(rack.Options.CircuitBreaker.BreakDuration);
        await poller.PollOnceAsync(CancellationToken.None);
        Assert.True(rack[0].RequestsReceived > requests);
        Assert.Equal(MinerHealthState.Ok, tracker[0].State);
        Assert.Equal(CircuitState.Closed, poller.CircuitState(0));

        // Open it again; this time the probe after the break fails, so it opens again without a new log line.
        rack[0].InjectFault(MinerFault.Refuse());
        await Cycle();
        await Cycle();
        await Cycle();
        Assert.Equal(CircuitState.Open, poller.CircuitState(0));
        time.Advance(rack.Options.CircuitBreaker.BreakDuration);
        await poller.PollOnceAsync(CancellationToken.None);
        Assert.Equal(CircuitState.Open, poller.CircuitState(0));
        Assert.Equal(MinerHealthState.CircuitOpen, tracker[0].State);

        Assert.Equal(["Ok", "Unreachable", "CircuitOpen", "Ok", "Unreachable", "CircuitOpen"], States(logs, id));
        Assert.Equal(["Ok"], States(logs, rack[1].Id));
    }

    [Fact]
    public async Task Lost_board_and_hashrate_drop_mark_the_miner_degraded_and_zero_hashrate_not_hashing()
    {
        await using SimulatedRack rack = await SimulatedRack.StartAsync(miners: 4, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(2), nominal: true);
        var logs = new InMemoryLoggerProvider();
        RackPoller poller = rack.CreatePoller(logs, TimeProvider.System);
        MinerHealthTracker tracker = poller.Tracker;
        await poller.PollOnceAsync(CancellationToken.None);
        Assert.All(tracker.Current(), m => Assert.Equal(MinerHealthState.Ok, m.State));

        rack[1].InjectFault(MinerFault.BoardLost(0));
        rack[2].InjectFault(MinerFault.HashrateDrop(50));
        rack[3].InjectFault(MinerFault.HashrateDrop(0));

        // The 5 s hashrate follows the fault within a few seconds of simulated mining.
        Assert.True(
            await Eventually.TrueAsync(
                async () =>
                {
                    await poller.PollOnceAsync(CancellationToken.None);
                    return tracker[1].State == MinerHealthState.Degraded && tracker[2].State == MinerHealthState.Degraded && tracker[3].State == MinerHealthState.NotHashing;
                },
                TimeSpan.FromSeconds(30),
                TimeSpan.FromMilliseconds(250)),
            string.Join("; ", tracker.Current().Select(m => $"{m.MinerId} {m.State} {m.Reason}")));
        Assert.Equal(MinerHealthState.Ok, tracker[0].State);
        Assert.Contains("% of nominal", tracker[2].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Hung_miner_is_marked_timeout_within_its_budget_and_does_not_hold_up_the_cycle()
    {
        await using SimulatedRack rack = await SimulatedRack.StartAsync(miners: 6, TimeSpan.FromSeconds(2), TimeSpan.FromMilliseconds(400), retries: 1);
        var logs = new InMemoryLoggerProvider();
        RackPoller poller = rack.CreatePoller(logs, TimeProvider.System);
        await poller.PollOnceAsync(CancellationToken.None);
        rack[2].InjectFault(MinerFault.Hang());
        rack[4].InjectFault(MinerFault.Hang());

        PollCycleResult cycle = await poller.PollOnceAsync(CancellationToken.None);

        Assert.Equal(MinerHealthState.Timeout, poller.Tracker[2].State);
        Assert.Equal(MinerHealthState.Timeout, poller.Tracker[4].State);
        Assert.Equal(4, cycle.Succeeded);
        // Each hung miner costs its budget — two attempts of 400 ms plus a 50 ms retry delay — which the validator keeps
        // below the 2 s interval; the slack is for a loaded test machine. The cycle itself ends, so a hang cannot stall it.
        foreach (int i in new[] { 2, 4 })
        {
            Assert.InRange(poller.Tracker[i].LastPollDuration!.Value, TimeSpan.FromMilliseconds(800), rack.Options.PollInterval);
        }

        foreach (int i in new[] { 0, 1, 3, 5 })
        {
            Assert.Equal(MinerHealthState.Ok, poller.Tracker[i].State);
            Assert.True(poller.Tracker[i].LastSuccessAt >= cycle.StartedAt, $"{poller.Tracker[i].MinerId} answered in this cycle");
        }
    }
}
