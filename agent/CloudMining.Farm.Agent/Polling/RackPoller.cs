using CloudMining.Farm.Agent.Configuration;
using CloudMining.Farm.Agent.Serials;
using CloudMining.Farm.Shared.MinerApi;
using Microsoft.Extensions.Options;
using Polly.CircuitBreaker;

namespace CloudMining.Farm.Agent.Polling;

/// <summary>Polls every miner of the rack once per call, with bounded concurrency and each miner behind its own resilience pipeline.</summary>
public sealed class RackPoller
{
    private readonly AgentOptions _options;
    private readonly IMinerReader _reader;
    private readonly MinerHealthTracker _tracker;
    private readonly TimeProvider _time;
    private readonly MinerPollTarget[] _targets;
    private readonly MinerSerialService? _serials;
    private long _cycles;

    /// <param name="serials">Fills in serials the cgminer API does not give (read rarely, off the poll path); null: none.</param>
    public RackPoller(IOptions<AgentOptions> options, IMinerReader reader, MinerHealthTracker tracker, TimeProvider time, MinerSerialService? serials = null)
    {
        _serials = serials;
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _reader = reader ?? throw new ArgumentNullException(nameof(reader));
        _tracker = tracker ?? throw new ArgumentNullException(nameof(tracker));
        _time = time ?? throw new ArgumentNullException(nameof(time));

        // Composed once per miner: the breaker's memory must outlive a single poll.
        _targets = _options.Miners.Select((m, i) =>
        {
            var breaker = new CircuitBreakerStateProvider();
            return new MinerPollTarget(i, m, MinerResiliencePipelineFactory.Create(_options, time, breaker), breaker);
        }).ToArray();
    }

    public MinerHealthTracker Tracker => _tracker;

    public int MinerCount => _targets.Length;

    /// <summary>The breaker state of one miner, for tests and diagnostics.</summary>
    public CircuitState CircuitState(int index) => _targets[index].Breaker.CircuitState;

    /// <summary>Polls every miner once. Never throws for miner faults; only cancellation ends it early.</summary>
    public async Task<PollCycleResult> PollOnceAsync(CancellationToken cancellationToken)
    {
        long cycle = Interlocked.Increment(ref _cycles);
        DateTimeOffset startedAt = _time.GetUtcNow();
        long started = _time.GetTimestamp();
        int succeeded = 0;

        await Parallel.ForEachAsync(
            _targets,
            new ParallelOptions { MaxDegreeOfParallelism = _options.MaxConcurrency, CancellationToken = cancellationToken },
            async (target, ct) =>
            {
                if (await PollMinerAsync(target, ct))
                {
                    Interlocked.Increment(ref succeeded);
                }
            });

        return new PollCycleResult(cycle, startedAt, _time.GetElapsedTime(started), _targets.Length, succeeded);
    }

    private async ValueTask<bool> PollMinerAsync(MinerPollTarget target, CancellationToken cancellationToken)
    {
        long started = _time.GetTimestamp();
        MinerPollOutcome outcome;
        try
        {
            MinerReadResult result = await target.Pipeline.ExecuteAsync(
                static (state, ct) => state.reader.ReadAsync(state.target.Endpoint, state.target.Miner.Profile, ct),
                (reader: _reader, target),
                cancellationToken);
            outcome = MinerHealthClassifier.FromResult(result, target.Nominal, _options.DegradedBelowPercent);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e)
        {
            outcome = MinerHealthClassifier.FromException(e, _tracker[target.Index], _options.CircuitBreaker.BreakDuration);
        }

        // The poll that tripped the breaker already tells the technician the miner will now be skipped.
        if (!outcome.IsSuccess && outcome.State != MinerHealthState.CircuitOpen && target.Breaker.CircuitState == Polly.CircuitBreaker.CircuitState.Open)
        {
            outcome = MinerHealthClassifier.CircuitOpened(outcome, _tracker[target.Index].ConsecutiveFailures + 1, _options.CircuitBreaker.BreakDuration);
        }

        outcome = WithSerial(target, outcome);
        _tracker.Record(target.Index, outcome, _time.GetUtcNow(), _time.GetElapsedTime(started));
        return outcome.IsSuccess;
    }

    /// <summary>The reading with the serial read off the cgminer API, where the profile names such a source; a problem there never fails the poll.</summary>
    private MinerPollOutcome WithSerial(MinerPollTarget target, MinerPollOutcome outcome)
    {
        if (_serials is null)
        {
            return outcome;
        }

        try
        {
            if (outcome.Snapshot is { } snapshot)
            {
                return outcome with { Snapshot = _serials.Complete(target.Miner.Id, target.Endpoint, snapshot) };
            }

            _serials.Lost(target.Miner.Id);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The reading stands without the serial; the serial service's own warnings say why it has none.
        }

        return outcome;
    }
}
