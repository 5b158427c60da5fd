using System.Net;
using CloudMining.Farm.Influx.Http;
using CloudMining.Farm.Influx.Write;
using CloudMining.Farm.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace CloudMining.Farm.Tests.Influx;

/// <summary>
/// The retry policy in isolation: neither influxd nor VictoriaMetrics can be made to answer 429/503 with Retry-After on
/// demand, so the outcomes are fed in directly and the waits run on a <see cref="FakeTimeProvider"/> that notes each one.
/// </summary>
public sealed class WriteRetryPipelineTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData(HttpStatusCode.TooManyRequests)]
    [InlineData(HttpStatusCode.ServiceUnavailable)]
    public async Task Retry_after_from_the_server_sets_the_wait(HttpStatusCode status)
    {
        var time = new WaitRecordingTimeProvider();
        var pipeline = WriteRetryPipeline.Create(new WriteOptions { MaxRetries = 3, RetryInterval = TimeSpan.FromMilliseconds(100) }, time, NullLogger.Instance);
        int calls = 0;

        Task<WriteOutcome> running = pipeline.ExecuteAsync(_ => ValueTask.FromResult(Interlocked.Increment(ref calls) == 1
            ? new WriteOutcome(WriteOutcomeKind.Retryable, status, "busy", TimeSpan.FromSeconds(7), [])
            : WriteOutcome.Accepted(HttpStatusCode.NoContent))).AsTask();

        // The retry waits the server's Retry-After on the injected clock, and not a tick less.
        Assert.True(await Eventually.TrueAsync(() => time.Waits.Count == 1, Wait));
        Assert.Equal([TimeSpan.FromSeconds(7)], time.Waits);
        time.Advance(TimeSpan.FromSeconds(7) - TimeSpan.FromMilliseconds(1));
        Assert.False(running.IsCompleted);
        Assert.Equal(1, Volatile.Read(ref calls));
        time.Advance(TimeSpan.FromMilliseconds(1));

        WriteOutcome result = await running.WaitAsync(Wait);
        Assert.Equal(WriteOutcomeKind.Accepted, result.Kind);
        Assert.Equal(2, calls);
    }

    [Fact]
    public async Task Server_errors_and_network_failures_back_off_then_give_up_after_max_retries()
    {
        var time = new WaitRecordingTimeProvider();
        var options = new WriteOptions { MaxRetries = 3, RetryInterval = TimeSpan.FromMilliseconds(100), MaxRetryDelay = TimeSpan.FromSeconds(5) };
        var pipeline = WriteRetryPipeline.Create(options, time, NullLogger.Instance);
        int calls = 0;

        Task<WriteOutcome> running = pipeline.ExecuteAsync<WriteOutcome>(_ =>
        {
            int call = Interlocked.Increment(ref calls);
            return call % 2 == 0
                ? throw new HttpRequestException("connection refused")
                : ValueTask.FromResult(new WriteOutcome(WriteOutcomeKind.Retryable, HttpStatusCode.InternalServerError, "boom", null, []));
        }).AsTask();

        await Assert.ThrowsAsync<HttpRequestException>(() => time.RunWaitsAsync(running, Wait));
        Assert.Equal(4, calls);
        Assert.Equal(3, time.Waits.Count);
        Assert.All(time.Waits, d => Assert.InRange(d, TimeSpan.Zero, options.MaxRetryDelay));
    }

    [Theory]
    [InlineData(WriteOutcomeKind.Rejected, HttpStatusCode.BadRequest)]
    [InlineData(WriteOutcomeKind.Misconfigured, HttpStatusCode.Unauthorized)]
    [InlineData(WriteOutcomeKind.Misconfigured, HttpStatusCode.NotFound)]
    public async Task Refusals_are_not_retried(WriteOutcomeKind kind, HttpStatusCode status)
    {
        var time = new WaitRecordingTimeProvider();
        var pipeline = WriteRetryPipeline.Create(new WriteOptions(), time, NullLogger.Instance);
        int calls = 0;

        // No wait and no second call: the fake clock is never advanced, so a retry would never finish.
        WriteOutcome result = await pipeline.ExecuteAsync(_ =>
        {
            calls++;
            return ValueTask.FromResult(new WriteOutcome(kind, status, "no", null, []));
        }).AsTask().WaitAsync(Wait);

        Assert.Equal(kind, result.Kind);
        Assert.Equal(1, calls);
        Assert.Empty(time.Waits);
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

    /// <summary>A <see cref="FakeTimeProvider"/> that notes every wait asked of it (each timer's due time), so a test can see and then elapse them.</summary>
    private sealed class WaitRecordingTimeProvider : FakeTimeProvider
    {
        private readonly List<TimeSpan> _waits = [];

        public IReadOnlyList<TimeSpan> Waits
        {
            get
            {
                lock (_waits)
                {
                    return [.. _waits];
                }
            }
        }

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            if (dueTime != Timeout.InfiniteTimeSpan)
            {
                lock (_waits)
                {
                    _waits.Add(dueTime);
                }
            }

            return base.CreateTimer(callback, state, dueTime, period);
        }

        /// <summary>Elapses each wait as it is asked for, until <paramref name="running"/> ends; returns its result.</summary>
        public async Task<T> RunWaitsAsync<T>(Task<T> running, TimeSpan timeout)
        {
            int elapsed = 0;
            while (!running.IsCompleted)
            {
                Assert.True(await Eventually.TrueAsync(() => running.IsCompleted || Waits.Count > elapsed, timeout), "the pipeline neither finished nor asked for a wait");
                if (Waits.Count > elapsed)
                {
                    Advance(Waits[elapsed]);
                    elapsed++;
                }
            }

            return await running;
        }
    }
}
