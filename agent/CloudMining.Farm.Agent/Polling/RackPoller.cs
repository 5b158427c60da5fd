using CloudMining.Farm.Agent.Configuration;
using CloudMining.Farm.Shared.MinerApi;
using Microsoft.Extensions.Options;
using Polly.CircuitBreaker;

namespace CloudMining.Farm.Agent.Polling;

/// <summary>Polls every miner of the rack once per call, with bounded concurrency and each miner behind its own resilience pipeline.</summary>
public sealed class RackPoller
{
    private readonly AgentOptions options;
    private readonly IMinerReader reader;
    private readonly MinerHealthTracker tracker;
    private readonly TimeProvider time;
    private readonly MinerPollTarget[] targets;
    private long cycles;

    public RackPoller(IOptions<AgentOptions> options, IMinerReader reader, MinerHealthTracker tracker, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        this.options = options.Value;
        this.reader = reader ?? throw new ArgumentNullException(nameof(reader));
        this.tracker = tracker ?? throw new ArgumentNullException(nameof(tracker));
        this.time = time ?? throw new ArgumentNullException(nameof(time));

        // Composed once per miner: the breaker's memory must outlive a single poll.
        targets = this.options.Miners.Select((m, i) =>
        {
            var breaker = new CircuitBreakerStateProvider();
            return new MinerPollTarget(i, m, MinerResiliencePipelineFactory.Create(this.options, time, breaker), breaker);
        }).ToArray();
    }

    public MinerHealthTracker Tracker => tracker;

    public int MinerCount => targets.Length;

    /// <summary>The breaker state of one miner, for tests and diagnostics.</summary>
    public CircuitState CircuitState(int index) => targets[index].Breaker.CircuitState;

    /// <summary>Polls every miner once. Never throws for miner faults; only cancellation ends it early.</summary>
    public async Task<PollCycleResult> PollOnceAsync(CancellationToken cancellationToken)
    {
        long cycle = Interlocked.Increment(ref cycles);
        DateTimeOffset startedAt = time.GetUtcNow();
        long started = time.GetTimestamp();
        int succeeded = 0;

        await Parallel.ForEachAsync(
            targets,
            new ParallelOptions { MaxDegreeOfParallelism = options.MaxConcurrency, CancellationToken = cancellationToken },
            async (target, ct) =>
            {
                if (await PollMinerAsync(target, ct))
                {
                    Interlocked.Increment(ref succeeded);
                }
            });

        return new PollCycleResult(cycle, startedAt, time.GetElapsedTime(started), targets.Length, succeeded);
    }

    private async ValueTask<bool> PollMinerAsync(MinerPollTarget target, CancellationToken cancellationToken)
    {
        long started = time.GetTimestamp();
        MinerPollOutcome outcome;
        try
        {
            MinerReadResult result = await target.Pipeline.ExecuteAsync(
                static (state, ct) => state.reader.ReadAsync(state.target.Endpoint, state.target.Miner.Profile, ct),
                (reader, target),
                cancellationToken);
            outcome = MinerHealthClassifier.FromResult(result, target.Nominal, options.DegradedBelowPercent);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e)
        {
            outcome = MinerHealthClassifier.FromException(e, tracker[target.Index], options.CircuitBreaker.BreakDuration);
        }

        // The poll that tripped the breaker already tells the technician the miner will now be skipped.
        if (!outcome.IsSuccess && outcome.State != MinerHealthState.CircuitOpen && target.Breaker.CircuitState == Polly.CircuitBreaker.CircuitState.Open)
        {
            outcome = MinerHealthClassifier.CircuitOpened(outcome, tracker[target.Index].ConsecutiveFailures + 1, options.CircuitBreaker.BreakDuration);
        }

        tracker.Record(target.Index, outcome, time.GetUtcNow(), time.GetElapsedTime(started));
        return outcome.IsSuccess;
    }
}
