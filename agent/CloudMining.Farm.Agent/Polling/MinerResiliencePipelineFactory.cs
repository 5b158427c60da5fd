using CloudMining.Farm.Agent.Configuration;
using CloudMining.Farm.Shared.MinerApi;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace CloudMining.Farm.Agent.Polling;

/// <summary>Composes, once per miner, the pipeline every poll of that miner runs through: circuit breaker, retry, attempt timeout.</summary>
public static class MinerResiliencePipelineFactory
{
    /// <summary>
    /// The breaker is outermost so it counts whole polls (a poll fails only when its retries failed too), which is what
    /// "FailureThreshold failed polls in a row" means to a technician; the timeout is innermost so it bounds each attempt.
    /// </summary>
    public static ResiliencePipeline<MinerReadResult> Create(AgentOptions options, TimeProvider timeProvider, CircuitBreakerStateProvider stateProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        var builder = new ResiliencePipelineBuilder<MinerReadResult> { TimeProvider = timeProvider };

        // Polly's breaker is ratio-based over a sliding window. A window of FailureThreshold - ½ intervals holds exactly the
        // last FailureThreshold polls (cycles start on the interval grid), so ratio 1.0 with that minimum means "in a row".
        TimeSpan window = options.PollInterval * (options.CircuitBreaker.FailureThreshold - 0.5);
        builder.AddCircuitBreaker(new CircuitBreakerStrategyOptions<MinerReadResult>
        {
            FailureRatio = 1.0,
            MinimumThroughput = options.CircuitBreaker.FailureThreshold,
            SamplingDuration = window,
            BreakDuration = options.CircuitBreaker.BreakDuration,
            StateProvider = stateProvider,
            ShouldHandle = args => ValueTask.FromResult(CountsAgainstMiner(args.Outcome)),
        });

        if (options.RetryCount > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<MinerReadResult>
            {
                MaxRetryAttempts = options.RetryCount,
                Delay = options.RetryDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = false,
                ShouldHandle = args => ValueTask.FromResult(IsTransient(args.Outcome)),
            });
        }

        builder.AddTimeout(new TimeoutStrategyOptions { Timeout = options.MinerTimeout });
        return builder.Build();
    }

    /// <summary>Worth another attempt in the same cycle: the miner may answer a moment later.</summary>
    internal static bool IsTransient(Outcome<MinerReadResult> outcome) =>
        outcome.Exception is TimeoutRejectedException
        || outcome.Result?.Error?.Kind is MinerApiErrorKind.Unreachable or MinerApiErrorKind.Timeout or MinerApiErrorKind.MalformedReply;

    /// <summary>
    /// Counts toward opening the circuit: the miner is not answering usefully at all. Access denied or an unsupported reply
    /// are configuration problems that retrying faster or slower does not change, so they do not trip it.
    /// </summary>
    internal static bool CountsAgainstMiner(Outcome<MinerReadResult> outcome) =>
        (outcome.Exception is not null and not OperationCanceledException) || IsTransient(outcome);
}
