using CloudMining.Farm.Controller.Ingest;
using CloudMining.Farm.Controller.Store;
using CloudMining.Farm.Influx.Client;
using InfluxDB.Client.Writes;
using CloudMining.Farm.Influx.Write;
using CloudMining.Farm.Shared.Wire;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace CloudMining.Farm.Controller.History;

/// <summary>
/// Writes fleet history through the batching <see cref="WriteApi"/> (retry, then disk spill, so an InfluxDB outage loses
/// nothing). When Influx:Enabled is false it holds no client and every call is a no-op.
/// </summary>
public sealed partial class HistoryWriter : IAsyncDisposable
{
    private readonly InfluxDBClient? _client;
    private readonly WriteApi? _writeApi;
    private readonly ILogger _logger;
    private long _minerPoints;

    /// <summary>The writer the container builds from the "Influx" and "Influx:Write" sections (checked at start).</summary>
    public HistoryWriter(IOptions<InfluxDBClientOptions> influx, IOptions<WriteOptions> writeOptions, ILoggerFactory loggerFactory, TimeProvider time)
        : this((influx ?? throw new ArgumentNullException(nameof(influx))).Value, (writeOptions ?? throw new ArgumentNullException(nameof(writeOptions))).Value, loggerFactory, time)
    {
    }

    public HistoryWriter(InfluxDBClientOptions influx, WriteOptions? writeOptions = null, ILoggerFactory? loggerFactory = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(influx);
        _logger = (ILogger?)loggerFactory?.CreateLogger<HistoryWriter>() ?? NullLogger.Instance;
        if (!influx.Enabled)
        {
            return;
        }

        InfluxDBClientOptionsValidator.Validate(influx);
        _client = new InfluxDBClient(influx, null, loggerFactory, time);
        _writeApi = _client.GetWriteApi(writeOptions);
        _writeApi.WriteFailed += (_, e) => LogWriteFailed(_logger, e.Exception, e.Points, e.Dropped);
    }

    /// <summary>True when Influx:Enabled is set and points are written.</summary>
    public bool Enabled => _writeApi is not null;

    /// <summary>Miner points handed to the writer so far.</summary>
    public long MinerPoints => Interlocked.Read(ref _minerPoints);

    /// <summary>The writer's counters, or null when history is off.</summary>
    public WriteApiStatistics? Statistics => _writeApi?.Statistics;

    /// <summary>Queues the "miner" point of one telemetry message.</summary>
    public void WriteTelemetry(MinerTelemetryPayload telemetry)
    {
        if (_writeApi is null || HistoryPoints.Miner(telemetry) is not { } point)
        {
            return;
        }

        _writeApi.WritePoint(point);
        Interlocked.Increment(ref _minerPoints);
    }

    /// <summary>Queues one "rack" point per known rack, stamped <paramref name="at"/>.</summary>
    public void WriteRacks(IEnumerable<RackLiveState> racks, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(racks);
        _writeApi?.WritePoints(racks.Select(r => HistoryPoints.Rack(r, at)));
    }

    /// <summary>Queues "contract" points for the ledger hours the store holds in [from, to); rewriting an hour replaces it.</summary>
    public async Task WriteContractsAsync(IControllerStore store, string site, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        if (_writeApi is null)
        {
            return;
        }

        var points = new List<PointData>();
        foreach (Contracts.Contract contract in await store.GetContractsAsync(cancellationToken).ConfigureAwait(false))
        {
            foreach (LedgerEntry entry in await store.GetLedgerAsync(contract.Id, from, to, cancellationToken).ConfigureAwait(false))
            {
                points.Add(HistoryPoints.Contract(site, entry));
            }
        }

        _writeApi.WritePoints(points);
    }

    /// <summary>Sends what is queued now.</summary>
    public Task FlushAsync(CancellationToken cancellationToken) => _writeApi?.FlushAsync(cancellationToken) ?? Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        if (_writeApi is not null)
        {
            await _writeApi.DisposeAsync().ConfigureAwait(false);
        }

        _client?.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "InfluxDB write of {Points} history point(s) failed (dropped: {Dropped})")]
    private static partial void LogWriteFailed(ILogger logger, Exception exception, int points, bool dropped);
}
