using System.Net;
using CloudMining.Farm.Influx.Http;
using CloudMining.Farm.Influx.Write;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace CloudMining.Farm.Tests.Influx;

/// <summary>
/// The retry policy in isolation: neither influxd nor VictoriaMetrics can be made to answer 429/503 with Retry-After on
/// demand, so the outcomes are fed in directly and the waits are observed through a <see cref="TimeProvider"/>.
/// </summary>
public sealed class WriteRetryPipelineTests
{
    [Theory]
    [InlineData(HttpStatusCode.TooManyRequests)]
    [InlineData(HttpStatusCode.ServiceUnavailable)]
    public async Task Retry_after_from_the_server_sets_the_wait(HttpStatusCode status)
    {
        var time = new RecordingTimeProvider();
        var pipeline = WriteRetryPipeline.Create(new WriteOptions { MaxRetries = 3, RetryInterval = TimeSpan.FromMilliseconds(100) }, time, NullLogger.Instance);
        int calls = 0;

        WriteOutcome result = await pipeline.ExecuteAsync(_ => ValueTask.FromResult(++calls == 1
            ? new WriteOutcome(WriteOutcomeKind.Retryable, status, "busy", TimeSpan.FromSeconds(7), [])
            : WriteOutcome.Accepted(HttpStatusCode.NoContent)));

        Assert.Equal(WriteOutcomeKind.Accepted, result.Kind);
        Assert.Equal(2, calls);
        Assert.Equal([TimeSpan.FromSeconds(7)], time.Delays);
    }

    [Fact]
    public async Task Server_errors_and_network_failures_back_off_then_give_up_after_max_retries()
    {
        var time = new RecordingTimeProvider();
        var options = new WriteOptions { MaxRetries = 3, RetryInterval = TimeSpan.FromMilliseconds(100), MaxRetryDelay = TimeSpan.FromSeconds(5) };
        var pipeline = WriteRetryPipeline.Create(options, time, NullLogger.Instance);
        int calls = 0;

        await Assert.ThrowsAsync<HttpRequestException>(() => pipeline.ExecuteAsync<WriteOutcome>(_ =>
        {
            calls++;
            return calls % 2 == 0
                ? throw new HttpRequestException("connection refused")
                : ValueTask.FromResult(new WriteOutcome(WriteOutcomeKind.Retryable, HttpStatusCode.InternalServerError, "boom", null, []));
        }).AsTask());

        Assert.Equal(4, calls);
        Assert.Equal(3, time.Delays.Count);
        Assert.All(time.Delays, d => Assert.InRange(d, TimeSpan.Zero, options.MaxRetryDelay));
    }

    [Theory]
    [InlineData(WriteOutcomeKind.Rejected, HttpStatusCode.BadRequest)]
    [InlineData(WriteOutcomeKind.Misconfigured, HttpStatusCode.Unauthorized)]
    [InlineData(WriteOutcomeKind.Misconfigured, HttpStatusCode.NotFound)]
    public async Task Refusals_are_not_retried(WriteOutcomeKind kind, HttpStatusCode status)
    {
        var time = new RecordingTimeProvider();
        var pipeline = WriteRetryPipeline.Create(new WriteOptions(), time, NullLogger.Instance);
        int calls = 0;

        WriteOutcome result = await pipeline.ExecuteAsync(_ =>
        {
            calls++;
            return ValueTask.FromResult(new WriteOutcome(kind, status, "no", null, []));
        });

        Assert.Equal(kind, result.Kind);
        Assert.Equal(1, calls);
        Assert.Empty(time.Delays);
    }

    [Theory]
    [InlineData(HttpStatusCode.BadRequest, WriteOutcomeKind.Rejected)]
    [InlineData(HttpStatusCode.RequestEntityTooLarge, WriteOutcomeKind.Rejected)]
    [InlineData(HttpStatusCode.Unauthorized, WriteOutcomeKind.Misconfigured)]
    [InlineData(HttpStatusCode.Forbidden, WriteOutcomeKind.Misconfigured)]
    [InlineData(HttpStatusCode.NotFound, WriteOutcomeKind.Misconfigured)]
    [InlineData(HttpStatusCode.TooManyRequests, WriteOutcomeKind.Retryable)]
    [InlineData(HttpStatusCode.InternalServerError, WriteOutcomeKind.Retryable)]
    [InlineData(HttpStatusCode.ServiceUnavailable, WriteOutcomeKind.Retryable)]
    public void Status_codes_are_classified(HttpStatusCode status, WriteOutcomeKind kind) =>
        Assert.Equal(kind, WriteEndpoint.Classify(status));

    /// <summary>Records every wait Polly asks for and lets it elapse at once.</summary>
    private sealed class RecordingTimeProvider : TimeProvider
    {
        private readonly List<TimeSpan> _delays = [];

        public IReadOnlyList<TimeSpan> Delays
        {
            get
            {
                lock (_delays)
                {
                    return [.. _delays];
                }
            }
        }

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            if (dueTime != Timeout.InfiniteTimeSpan)
            {
                lock (_delays)
                {
                    _delays.Add(dueTime);
                }

                ThreadPool.QueueUserWorkItem(_ => callback(state));
            }

            return new NoTimer();
        }

        private sealed class NoTimer : ITimer
        {
            public bool Change(TimeSpan dueTime, TimeSpan period) => true;

            public void Dispose()
            {
            }

            public ValueTask DisposeAsync() => ValueTask.CompletedTask;
        }
    }
}
