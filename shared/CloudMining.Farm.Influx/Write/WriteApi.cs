using System.Buffers;
using CloudMining.Farm.Influx.Http;
using CloudMining.Farm.Influx.LineProtocol;
using InfluxDB.Client.Api.Domain;
using InfluxDB.Client.Writes;
using Microsoft.Extensions.Logging;
using Polly;

namespace CloudMining.Farm.Influx.Write;

/// <summary>
/// Batching writer around InfluxDB.Client's points (the package's own WriteApi has no disk spill): <see cref="WritePoint"/> returns at once, a background loop
/// sends batches (by size, or after <see cref="WriteOptions.FlushInterval"/>) in order. While the server is away the
/// batches stay in memory up to <see cref="WriteOptions.MaxBufferedPoints"/>, then spill to disk and are replayed oldest
/// first; a batch is forgotten only once acknowledged (or refused with a 400, which is reported with the offending lines).
/// </summary>
public sealed partial class WriteApi : IAsyncDisposable, IDisposable
{
    private readonly WriteEndpoint _http;
    private readonly ResiliencePipeline<WriteOutcome> _pipeline;
    private readonly WriteOptions _options;
    private readonly WritePrecision _precision;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SpillStore? _spill;
    private readonly Lock _gate = new();
    private readonly LineBatch _current = new(64 * 1024);
    private readonly LinkedList<Batch> _memory = new();
    private readonly SemaphoreSlim _signal = new(0);
    private readonly CancellationTokenSource _stop = new();
    private readonly ITimer _flushTimer;
    private readonly Task _sender;
    private TaskCompletionSource? _idle;
    private int _memoryPoints;
    private long _nextSequence;
    private long _written;
    private long _acknowledged;
    private long _rejected;
    private long _spilled;
    private long _dropped;
    private long _batchesAcknowledged;
    private bool _disposed;

    internal WriteApi(WriteEndpoint http, ResiliencePipeline<WriteOutcome> pipeline, WriteOptions options, WritePrecision precision, TimeProvider time, ILogger logger)
    {
        options.Validate();
        _http = http;
        _pipeline = pipeline;
        _options = options;
        _precision = precision;
        _time = time;
        _logger = logger;
        if (!string.IsNullOrWhiteSpace(options.SpillDirectory))
        {
            _spill = new SpillStore(options.SpillDirectory, options.MaxSpillBytes);
            _nextSequence = _spill.NextSequence;
            if (!_spill.IsEmpty)
            {
                int files = _spill.Count;
                string directory = options.SpillDirectory;
                LogReplayingSpill(_logger, files, directory);
            }
        }

        _flushTimer = time.CreateTimer(_ => Flush(), null, options.FlushInterval, options.FlushInterval);
        _sender = Task.Run(() => SendLoopAsync(_stop.Token));
    }

    /// <summary>Raised (on the sender loop) when a batch is refused or cannot be delivered right now.</summary>
    public event EventHandler<WriteErrorEventArgs>? WriteFailed;

    /// <summary>Current counters; <see cref="WriteApiStatistics.PointsDropped"/> is non-zero only if the spill bound was hit.</summary>
    public WriteApiStatistics Statistics
    {
        get
        {
            lock (_gate)
            {
                return new WriteApiStatistics(
                    Interlocked.Read(ref _written),
                    Interlocked.Read(ref _acknowledged),
                    Interlocked.Read(ref _rejected),
                    Interlocked.Read(ref _spilled),
                    Interlocked.Read(ref _dropped),
                    Interlocked.Read(ref _batchesAcknowledged),
                    _memoryPoints + _current.PointCount,
                    _spill?.Count ?? 0);
            }
        }
    }

    /// <summary>Queues a point; a point without a timestamp is stamped now, so a late (replayed) write keeps the right time.</summary>
    public void WritePoint(PointData point)
    {
        ArgumentNullException.ThrowIfNull(point);
        long now = _time.GetUtcNow().ToUnixTime(_precision);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _current.Add(point, _precision, now);
            _written++;
            if (_current.PointCount >= _options.BatchSize)
            {
                SealLocked();
            }
        }
    }

    public void WritePoints(IEnumerable<PointData> points)
    {
        ArgumentNullException.ThrowIfNull(points);
        foreach (PointData point in points)
        {
            WritePoint(point);
        }
    }

    /// <summary>Hands the partial batch to the sender now instead of at the next flush tick.</summary>
    public void Flush()
    {
        lock (_gate)
        {
            if (!_disposed)
            {
                SealLocked();
            }
        }
    }

    /// <summary>Flushes and waits until everything queued so far (memory and spill) is acknowledged or refused.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            Task wait;
            lock (_gate)
            {
                SealLocked();
                if (_memory.Count == 0 && (_spill?.IsEmpty ?? true))
                {
                    return;
                }

                _idle ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                wait = _idle.Task;
            }

            _signal.Release();
            await wait.WaitAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            SealLocked();
            _disposed = true;
        }

        await _flushTimer.DisposeAsync();
        using (var deadline = new CancellationTokenSource(_options.ShutdownTimeout, _time))
        {
            try
            {
                await FlushAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                LogShutdownTimedOut(_logger, _options.ShutdownTimeout);
            }
        }

        await _stop.CancelAsync();
        try
        {
            await _sender;
        }
        catch (OperationCanceledException)
        {
            // The loop ends by cancellation.
        }

        lock (_gate)
        {
            // Whatever is still in memory keeps its sequence number, so it replays before the files spilled after it.
            while (_memory.First is { Value: var batch })
            {
                _memory.RemoveFirst();
                _memoryPoints -= batch.Points;
                SpillOrDrop(batch.Sequence, batch.Memory.Span, batch.Points);
                ArrayPool<byte>.Shared.Return(batch.Data);
            }
        }

        _signal.Dispose();
        _stop.Dispose();
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private void SealLocked()
    {
        if (_current.PointCount == 0)
        {
            return;
        }

        ReadOnlySpan<byte> written = _current.WrittenMemory.Span;
        int points = _current.PointCount;
        long sequence = _nextSequence++;

        // Memory only while nothing is on disk: a newer batch must never overtake an older spilled one.
        bool spillEmpty = _spill?.IsEmpty ?? true;
        if (spillEmpty && _memoryPoints + points <= _options.MaxBufferedPoints)
        {
            // Pooled: a fresh megabyte per batch would land on the large-object heap and force full GCs.
            byte[] data = ArrayPool<byte>.Shared.Rent(written.Length);
            written.CopyTo(data);
            _memory.AddLast(new Batch(sequence, data, written.Length, points, OnDisk: false));
            _memoryPoints += points;
        }
        else
        {
            SpillOrDrop(sequence, written, points);
        }

        _current.Reset();
        _signal.Release();
    }

    private void SpillOrDrop(long sequence, ReadOnlySpan<byte> data, int points)
    {
        if (_spill is not null)
        {
            try
            {
                if (_spill.TryAdd(sequence, data))
                {
                    _spilled += points;
                    return;
                }

                LogSpillFull(_logger, _options.SpillDirectory, _options.MaxSpillBytes, points);
            }
            catch (IOException ex)
            {
                LogSpillFailed(_logger, ex, _options.SpillDirectory, points);
            }
        }
        else
        {
            LogBufferFull(_logger, _options.MaxBufferedPoints, points);
        }

        _dropped += points;
    }

    private async Task SendLoopAsync(CancellationToken stop)
    {
        TimeSpan backoff = _options.RetryInterval;
        while (!stop.IsCancellationRequested)
        {
            List<Batch> wave = TakeOldest(_options.MaxConcurrentRequests);
            if (wave.Count == 0)
            {
                await _signal.WaitAsync(stop);
                continue;
            }

            // A wave of the oldest batches goes out together; the next wave waits for all of them, so a batch is never
            // in flight twice and a failing server is not hammered by more than one wave per backoff.
            var results = await Task.WhenAll(wave.Select(batch => SendOneAsync(batch, stop)));
            TimeSpan? wait = null;
            for (int i = 0; i < wave.Count; i++)
            {
                TimeSpan? batchWait = Handle(wave[i], results[i].Outcome, results[i].Failure, backoff);
                if (batchWait is { } w)
                {
                    wait = wait is { } current && current > w ? current : w;
                }
            }

            if (wait is { } delay)
            {
                await Task.Delay(delay, _time, stop);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, _options.MaxRetryDelay.Ticks));
            }
            else
            {
                backoff = _options.RetryInterval;
            }
        }
    }

    private async Task<(WriteOutcome? Outcome, Exception? Failure)> SendOneAsync(Batch batch, CancellationToken stop)
    {
        try
        {
            WriteOutcome outcome = await _pipeline.ExecuteAsync(static async (state, ct) => await state._http.SendAsync(state.Memory, ct), (_http, batch.Memory), stop);
            return (outcome, null);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !stop.IsCancellationRequested)
        {
            return (null, ex);
        }
    }

    /// <summary>Settles one batch; returns how long to wait before the next wave when it must stay queued.</summary>
    private TimeSpan? Handle(Batch batch, WriteOutcome? outcome, Exception? failure, TimeSpan backoff)
    {
        switch (outcome?.Kind)
        {
            case WriteOutcomeKind.Accepted:
                Complete(batch);
                Interlocked.Add(ref _acknowledged, batch.Points);
                Interlocked.Increment(ref _batchesAcknowledged);
                return null;
            case WriteOutcomeKind.Rejected:
                Complete(batch);
                Interlocked.Add(ref _rejected, batch.Points);
                var refused = new InfluxWriteException(outcome, $"InfluxDB refused a batch of {batch.Points} point(s) ({(int?)outcome.StatusCode}): {outcome.ServerMessage}");
                LogRefused(_logger, batch.Points, (int?)outcome.StatusCode, outcome.ServerMessage, outcome.OffendingLines);
                Raise(new WriteErrorEventArgs(refused, batch.Points, dropped: true));
                return null;
            case WriteOutcomeKind.Misconfigured:
                var config = _http.DescribeMisconfiguration(outcome);
                LogMisconfigured(_logger, config.Message, config.Setting, batch.Points, _options.MaxRetryDelay);
                Raise(new WriteErrorEventArgs(config, batch.Points, dropped: false));
                return _options.MaxRetryDelay;
            default:
                string reason = failure?.Message ?? $"{(int?)outcome?.StatusCode} {outcome?.ServerMessage}";
                LogUnavailable(_logger, _http.SafeEndpoint, reason, batch.Points, backoff);
                Raise(new WriteErrorEventArgs(failure ?? new InfluxWriteException(outcome!, reason), batch.Points, dropped: false));
                return backoff;
        }
    }

    private List<Batch> TakeOldest(int count)
    {
        lock (_gate)
        {
            var wave = new List<Batch>(count);
            for (LinkedListNode<Batch>? node = _memory.First; node is not null && wave.Count < count; node = node.Next)
            {
                wave.Add(node.Value);
            }

            if (wave.Count < count && _spill is not null)
            {
                foreach ((long sequence, byte[] data) in _spill.PeekOldest(count - wave.Count))
                {
                    wave.Add(new Batch(sequence, data, data.Length, data.AsSpan().Count((byte)'\n'), OnDisk: true));
                }
            }

            if (wave.Count == 0)
            {
                _idle?.TrySetResult();
                _idle = null;
            }

            return wave;
        }
    }

    private void Complete(Batch batch)
    {
        lock (_gate)
        {
            if (batch.OnDisk)
            {
                _spill!.Remove(batch.Sequence);
            }
            else
            {
                _memory.Remove(batch);
                _memoryPoints -= batch.Points;
                ArrayPool<byte>.Shared.Return(batch.Data);
            }
        }
    }

    private void Raise(WriteErrorEventArgs args)
    {
        try
        {
            WriteFailed?.Invoke(this, args);
        }
        catch (Exception ex)
        {
            LogHandlerFailed(_logger, ex);
        }
    }

    /// <summary>A sealed batch: a pooled array (memory) or a file's bytes (disk), <see cref="Length"/> bytes of lines.</summary>
    private sealed record Batch(long Sequence, byte[] Data, int Length, int Points, bool OnDisk)
    {
        public ReadOnlyMemory<byte> Memory => Data.AsMemory(0, Length);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Found {SpillFiles} spilled InfluxDB batch file(s) in {SpillDirectory}; replaying them first")]
    private static partial void LogReplayingSpill(ILogger logger, int spillFiles, string spillDirectory);

    [LoggerMessage(Level = LogLevel.Warning, Message = "InfluxDB did not take every queued point within {ShutdownTimeout}; the rest goes to the spill directory")]
    private static partial void LogShutdownTimedOut(ILogger logger, TimeSpan shutdownTimeout);

    [LoggerMessage(Level = LogLevel.Error, Message = "InfluxDB spill directory {SpillDirectory} reached Influx:Write:MaxSpillBytes ({MaxSpillBytes} bytes); dropping a batch of {Points} point(s)")]
    private static partial void LogSpillFull(ILogger logger, string? spillDirectory, long maxSpillBytes, int points);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not write an InfluxDB spill file in {SpillDirectory}; dropping a batch of {Points} point(s)")]
    private static partial void LogSpillFailed(ILogger logger, Exception exception, string? spillDirectory, int points);

    [LoggerMessage(Level = LogLevel.Error, Message = "InfluxDB buffer is full (Influx:Write:MaxBufferedPoints = {MaxBufferedPoints}) and no Influx:Write:SpillDirectory is set; dropping a batch of {Points} point(s)")]
    private static partial void LogBufferFull(ILogger logger, int maxBufferedPoints, int points);

    [LoggerMessage(Level = LogLevel.Error, Message = "InfluxDB refused a batch of {Points} point(s) with {StatusCode}: {ServerMessage}; offending line(s): {OffendingLines}. Not retried: fix the data")]
    private static partial void LogRefused(ILogger logger, int points, int? statusCode, string? serverMessage, IReadOnlyList<string> offendingLines);

    [LoggerMessage(Level = LogLevel.Error, Message = "InfluxDB write blocked: {Problem} ({Setting}); {Points} point(s) stay queued and the write is retried every {Delay}")]
    private static partial void LogMisconfigured(ILogger logger, string problem, string? setting, int points, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Warning, Message = "InfluxDB at {Endpoint} unavailable ({Reason}); {Points} point(s) stay queued, next try in {Delay}")]
    private static partial void LogUnavailable(ILogger logger, string endpoint, string reason, int points, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Error, Message = "A WriteFailed handler threw; ignored so the writer keeps running")]
    private static partial void LogHandlerFailed(ILogger logger, Exception exception);
}
