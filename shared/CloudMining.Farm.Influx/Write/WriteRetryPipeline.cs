using CloudMining.Farm.Influx.Http;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace CloudMining.Farm.Influx.Write;

/// <summary>Builds the Polly pipeline around one write: retries 429/503/5xx and network errors with exponential backoff, honouring Retry-After.</summary>
public static partial class WriteRetryPipeline
{
    public static ResiliencePipeline<WriteOutcome> Create(WriteOptions options, TimeProvider timeProvider, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        var builder = new ResiliencePipelineBuilder<WriteOutcome> { TimeProvider = timeProvider };
        if (options.MaxRetries == 0)
        {
            return builder.Build();
        }

        return builder.AddRetry(new RetryStrategyOptions<WriteOutcome>
        {
            MaxRetryAttempts = options.MaxRetries,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = options.RetryInterval,
            MaxDelay = options.MaxRetryDelay,
            ShouldHandle = args => ValueTask.FromResult(IsTransient(args.Outcome, args.Context.CancellationToken)),
            // The server's Retry-After wins over our own backoff (capped so a bad header cannot stall us for hours).
            DelayGenerator = args => ValueTask.FromResult(
                args.Outcome.Result?.RetryAfter is { } retryAfter
                    ? (TimeSpan?)(retryAfter > options.MaxRetryDelay ? options.MaxRetryDelay : retryAfter)
                    : null),
            OnRetry = args =>
            {
                LogRetrying(
                    logger,
                    args.AttemptNumber + 1,
                    args.Outcome.Exception?.Message ?? $"{(int?)args.Outcome.Result?.StatusCode} {args.Outcome.Result?.ServerMessage}",
                    args.RetryDelay);
                return ValueTask.CompletedTask;
            },
        }).Build();
    }

    internal static bool IsTransient(Outcome<WriteOutcome> outcome, CancellationToken cancellationToken) => outcome.Exception switch
    {
        HttpRequestException => true,
        TimeoutException => true,
        IOException => true,
        OperationCanceledException => !cancellationToken.IsCancellationRequested,
        null => outcome.Result?.Kind == WriteOutcomeKind.Retryable,
        _ => false,
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "InfluxDB write attempt {Attempt} failed ({Reason}); retrying in {Delay}")]
    private static partial void LogRetrying(ILogger logger, int attempt, string reason, TimeSpan delay);
}
