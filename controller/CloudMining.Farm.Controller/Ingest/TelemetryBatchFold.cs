using CloudMining.Farm.Controller.History;
using CloudMining.Farm.Mqtt.Logging;
using CloudMining.Farm.Shared.Wire;
using Microsoft.Extensions.Logging;

namespace CloudMining.Farm.Controller.Ingest;

/// <summary>
/// Folds a rack's telemetry batch into <see cref="FleetState"/> exactly as that many per-miner telemetry messages: each
/// entry is applied as the <see cref="MinerTelemetryPayload"/> it stands for (<see cref="FleetState.Apply(TelemetryBatchPayload, TelemetryBatchEntry)"/>), with site and rack from the batch's topic (the
/// subscriber already refused a batch whose envelope names another site or rack), so a miner id of another rack is the
/// same ownership conflict (<c>Admission/MinerAdmission</c>) as on that rack's per-miner topic, never a move. An entry
/// that cannot be read or breaks the contract is rejected alone, counted and logged (rate-limited); the rest are used.
/// </summary>
public sealed partial class TelemetryBatchFold
{
    private readonly FleetState _fleet;
    private readonly HistoryWriter _history;
    private readonly ILogger _logger;
    private readonly LogThrottle _rejectedLog;
    private long _batches;
    private long _readings;
    private long _rejected;

    public TelemetryBatchFold(FleetState fleet, HistoryWriter history, ILogger logger, TimeProvider time)
    {
        _fleet = fleet ?? throw new ArgumentNullException(nameof(fleet));
        _history = history ?? throw new ArgumentNullException(nameof(history));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _rejectedLog = new LogThrottle(time ?? throw new ArgumentNullException(nameof(time)), TimeSpan.FromMinutes(1), burst: 10);
    }

    /// <summary>Batches folded.</summary>
    public long Batches => Interlocked.Read(ref _batches);

    /// <summary>Readings taken from batches into the fleet state.</summary>
    public long Readings => Interlocked.Read(ref _readings);

    /// <summary>Batch entries rejected one by one (the rest of their batch was used).</summary>
    public long Rejected => Interlocked.Read(ref _rejected);

    /// <summary>
    /// Applies every readable entry of <paramref name="batch"/>, which arrived on <paramref name="topic"/>; the history
    /// dates its readings <paramref name="historyAt"/> when given (a batch stamped ahead of the controller's clock).
    /// </summary>
    public void Fold(TelemetryBatchPayload batch, string topic, DateTimeOffset? historyAt = null)
    {
        ArgumentNullException.ThrowIfNull(batch);
        TelemetryBatchPayload forHistory = historyAt is { } at ? batch with { Timestamp = at } : batch;
        Interlocked.Increment(ref _batches);
        var seen = new HashSet<string>(batch.Miners.Count, StringComparer.Ordinal);
        for (int i = 0; i < batch.Miners.Count; i++)
        {
            if (batch.EntryProblem(i, seen) is { } problem)
            {
                long count = Interlocked.Increment(ref _rejected);
                if (_rejectedLog.TryAcquire(out long heldBack))
                {
                    LogEntryRejected(_logger, i, BoundedText.Echo(batch.Miners[i].MinerId ?? "(no id)", FarmTopics.MaxIdLength), BoundedText.Echo(topic), BoundedText.Echo(problem, 300), count, heldBack);
                }

                continue;
            }

            // Straight into the fleet: no per-miner payload is built unless the history wants one.
            TelemetryBatchEntry entry = batch.Miners[i];
            Interlocked.Increment(ref _readings);
            _fleet.Apply(batch, entry);
            if (_history.Enabled)
            {
                _history.WriteTelemetry(forHistory.ToTelemetry(entry));
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Rejected miners[{Index}] (miner {MinerId}) of the telemetry batch on {Topic}: {Problem}; the batch's other readings were used ({Rejected} batch entries rejected so far, {HeldBack} not logged since the last line)")]
    private static partial void LogEntryRejected(ILogger logger, int index, string minerId, string topic, string problem, long rejected, long heldBack);
}
