using System.Text.Json;
using CloudMining.Farm.Agent.Configuration;
using CloudMining.Farm.Agent.Events;
using CloudMining.Farm.Agent.Polling;
using CloudMining.Farm.Mqtt.Subscription;
using CloudMining.Farm.Shared.Wire;
using CloudMining.Farm.Shared.Firmware;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CloudMining.Farm.Agent.Pools;

/// <summary>
/// The rack's desired pool state: takes it from the controller (read by the shared <see cref="FarmMessageDecoder"/>, the
/// subscriber code every farm/v1 consumer uses; see <see cref="DesiredStateIntake"/>), validates all of it first, keeps a
/// usable one in <c>{StateDirectory}/desired-pools.json</c> (temp file, fsync, rename: a crash leaves the old or the
/// new file, never half of one) and loads that file at start, so the agent keeps enforcing through restarts and
/// controller outages. A state that is unusable as a whole (unparsable, larger than <see cref="MaxPayloadBytes"/>, for
/// another rack, older) changes nothing and raises one <c>pools/desired-rejected</c> event. A usable state is taken
/// with the entries that pass every check (<see cref="Current"/>); the others (an unknown miner, a bad pool URL…) are
/// kept aside as <see cref="RejectedMiners"/> for the reported state, with one <c>pools/desired-miners-rejected</c> event.
/// </summary>
public sealed partial class DesiredPoolStateStore : IDesiredPoolStateView
{
    public const string FileName = "desired-pools.json";

    /// <summary>
    /// Largest desired-state payload read: a rack of 200 miners with a few pools each needs well under 100 KB. A larger
    /// one is refused unread, so that its content never reaches a log line, an event or the reported state.
    /// </summary>
    public const int MaxPayloadBytes = 256 * 1024;

    /// <summary>At most this many rejected entries are named in an event; the rest are counted.</summary>
    private const int MaxReasonsPerEvent = 5;

    private readonly AgentOptions _options;
    private readonly FirmwareProfileCatalog _catalog;
    private readonly MinerHealthTracker? _tracker;
    private readonly RackEventBus _events;
    private readonly ILogger<DesiredPoolStateStore> _logger;
    private readonly Lock _gate = new();
    private DesiredPoolStatePayload? _received;
    private DesiredPoolStatePayload? _current;
    private IReadOnlyList<RejectedMinerEntry> _rejectedMiners = [];
    private long? _storedGeneration;
    private ReportedRejection? _rejection;

    public DesiredPoolStateStore(IOptions<AgentOptions> options, FirmwareProfileCatalog catalog, MinerHealthTracker? tracker, RackEventBus events, ILogger<DesiredPoolStateStore> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _catalog = catalog ?? throw new ArgumentNullException(nameof(catalog));
        _tracker = tracker;
        _events = events ?? throw new ArgumentNullException(nameof(events));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        Load();
    }

    /// <summary>Raised (on the caller's thread) after a new state was accepted or one was rejected.</summary>
    public event EventHandler? Changed;

    public string FilePath => Path.Combine(_options.StateDirectory, FileName);

    /// <summary>The desired state held, with only the entries that passed validation (those the agent applies).</summary>
    public DesiredPoolStatePayload? Current
    {
        get
        {
            lock (_gate)
            {
                return _current;
            }
        }
    }

    /// <summary>The entries of the held state that failed validation: never applied, reported per miner.</summary>
    public IReadOnlyList<RejectedMinerEntry> RejectedMiners
    {
        get
        {
            lock (_gate)
            {
                return _rejectedMiners;
            }
        }
    }

    /// <summary>The newest desired state refused since the current one was accepted, if any.</summary>
    public ReportedRejection? Rejection
    {
        get
        {
            lock (_gate)
            {
                return _rejection;
            }
        }
    }

    /// <summary>The firmware profile of a configured miner: its configured name, or what detection found at the last poll.</summary>
    public FirmwareProfile? ProfileOf(string minerId)
    {
        MinerOptions? miner = _options.Miners.FirstOrDefault(m => string.Equals(m.Id, minerId, StringComparison.OrdinalIgnoreCase));
        if (miner is null)
        {
            return null;
        }

        string name = miner.Profile;
        if (string.Equals(name, MinerOptions.AutoProfile, StringComparison.OrdinalIgnoreCase))
        {
            name = _tracker?.Current().FirstOrDefault(h => string.Equals(h.MinerId, miner.Id, StringComparison.OrdinalIgnoreCase))?.Snapshot?.Identity.Profile ?? string.Empty;
        }

        return _catalog.TryGet(name, out FirmwareProfile profile) ? profile : null;
    }

    /// <summary>The topic this rack's desired state comes on.</summary>
    public string DesiredTopic => FarmTopics.Desired(_options.Site, _options.RackId);

    /// <summary>
    /// Reads a payload of the desired topic with the shared <see cref="FarmMessageDecoder"/> (size limit, schema,
    /// envelope, site and rack of the topic), then validates and (when valid and new) stores it.
    /// </summary>
    public DesiredIntakeOutcome Accept(ReadOnlyMemory<byte> payload, string source)
    {
        FarmDecodeResult decoded = FarmMessageDecoder.Decode(DesiredTopic, payload, maxPayloadBytes: MaxPayloadBytes);
        return decoded.Message is { Payload: DesiredPoolStatePayload desired }
            ? Accept(desired, source)
            : Refuse(decoded.Rejection ?? new FarmRejectedMessage(DesiredTopic, FarmRejection.Malformed, $"not a {DesiredPoolStatePayload.SchemaId} payload"), source);
    }

    /// <summary>
    /// Refuses a message of the desired topic that the shared decoder refused: nothing changes, one
    /// <c>pools/desired-rejected</c> event is raised and the rejection goes into the reported state.
    /// </summary>
    public DesiredIntakeOutcome Refuse(FarmRejectedMessage rejection, string source)
    {
        ArgumentNullException.ThrowIfNull(rejection);
        var claimed = rejection.Payload as DesiredPoolStatePayload;
        string reason = rejection.Kind switch
        {
            FarmRejection.TooLarge => $"{rejection.Problem} (DesiredPoolStateStore.MaxPayloadBytes); the controller must send a smaller state",

            // For another site or rack: say it the way the validator says every whole-state problem.
            FarmRejection.Misattributed when claimed is not null => WholeStateProblems(claimed) ?? rejection.Problem,
            _ => rejection.Problem,
        };
        return Reject(claimed?.Generation, reason, source);
    }

    /// <summary>Validates and (when valid and new) stores a parsed desired state.</summary>
    public DesiredIntakeOutcome Accept(DesiredPoolStatePayload desired, string source)
    {
        ArgumentNullException.ThrowIfNull(desired);
        string? refused = null;
        DesiredPoolStateValidation validation;
        lock (_gate)
        {
            validation = DesiredPoolStateValidator.Validate(desired, _options, _storedGeneration, ProfileOf);
            if (!validation.IsUsable)
            {
                refused = Summary(validation.Problems);
            }
            else if (_received is not null && _received.Generation == desired.Generation && SameContent(_received, desired))
            {
                return DesiredIntakeOutcome.Unchanged;
            }
            else
            {
                try
                {
                    Write(desired);
                    Hold(desired, validation);
                    _rejection = null;
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // Not stored means not applied: enforcing a state that a restart would forget would be a lie.
                    refused = $"cannot store it in {FilePath}: {e.Message}; check that the agent may write Agent:StateDirectory";
                }
            }
        }

        // Events and handlers run outside the lock: a subscriber may read Current.
        if (refused is not null)
        {
            return Reject(desired.Generation, refused, source);
        }

        LogAccepted(_logger, desired.Generation, validation.Accepted.Count, validation.Rejected.Count, source);
        if (validation.Rejected.Count > 0)
        {
            _events.Raise(RackEvent.Warning(
                "pools",
                "desired-miners-rejected",
                validation.Rejected.Count == 1 ? validation.Rejected[0].MinerId : null,
                $"desired pool state generation {desired.Generation} from {source} taken for {validation.Accepted.Count} miner(s); {validation.Rejected.Count} entr{(validation.Rejected.Count == 1 ? "y" : "ies")} rejected, those miners keep their pools: {Summary(validation.Rejected.Select(r => r.Reason).ToList())}"));
        }

        Changed?.Invoke(this, EventArgs.Empty);
        return DesiredIntakeOutcome.Accepted;
    }

    private static string Summary(IReadOnlyList<string> reasons) =>
        string.Join(" ", reasons.Take(MaxReasonsPerEvent)) + (reasons.Count > MaxReasonsPerEvent ? $" (and {reasons.Count - MaxReasonsPerEvent} more)" : string.Empty);

    private void Hold(DesiredPoolStatePayload desired, DesiredPoolStateValidation validation)
    {
        _received = desired;
        _current = desired with { Miners = validation.Accepted };
        _rejectedMiners = validation.Rejected;
        _storedGeneration = desired.Generation;
    }

    private string? WholeStateProblems(DesiredPoolStatePayload desired)
    {
        lock (_gate)
        {
            DesiredPoolStateValidation validation = DesiredPoolStateValidator.Validate(desired, _options, _storedGeneration, ProfileOf);
            return validation.IsUsable ? null : Summary(validation.Problems);
        }
    }

    private static bool SameContent(DesiredPoolStatePayload a, DesiredPoolStatePayload b) =>
        JsonSerializer.Serialize(Envelopeless(a), FarmJsonContext.Default.DesiredPoolStatePayload) ==
        JsonSerializer.Serialize(Envelopeless(b), FarmJsonContext.Default.DesiredPoolStatePayload);

    private static DesiredPoolStatePayload Envelopeless(DesiredPoolStatePayload d) => d with { Publisher = string.Empty, Seq = 0, Timestamp = default };

    private DesiredIntakeOutcome Reject(long? generation, string reason, string source)
    {
        lock (_gate)
        {
            _rejection = new ReportedRejection(generation, BoundedText.Echo(reason, ReportedStateBudget.MaxReasonChars * 4));
        }

        // One event per refused message; it is logged by the bus, so no second log line here.
        _events.Raise(RackEvent.Warning("pools", "desired-rejected", null, $"desired pool state{(generation is { } g ? $" generation {g}" : string.Empty)} from {source} rejected, nothing changed: {reason}"));
        Changed?.Invoke(this, EventArgs.Empty);
        return DesiredIntakeOutcome.Rejected;
    }

    private void Write(DesiredPoolStatePayload desired)
    {
        Directory.CreateDirectory(_options.StateDirectory);
        string temp = FilePath + ".tmp";
        using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            JsonSerializer.Serialize(file, desired, FarmJsonContext.Default.DesiredPoolStatePayload);
            file.Flush(flushToDisk: true);
        }

        File.Move(temp, FilePath, overwrite: true);
    }

    private void Load()
    {
        if (!File.Exists(FilePath))
        {
            return;
        }

        FarmDecodeResult decoded;
        try
        {
            // Read by the same decoder as what arrives over MQTT (no size limit: the file was accepted once).
            decoded = FarmMessageDecoder.Decode(DesiredTopic, File.ReadAllBytes(FilePath));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LogLoadFailed(_logger, FilePath, e.Message);
            return;
        }

        if ((decoded.Message?.Payload ?? decoded.Rejection?.Payload) is DesiredPoolStatePayload { } parsed)
        {
            // Even a state that is not usable any more holds its generation: an older one must not follow it.
            _storedGeneration = parsed.Generation;
        }

        if (decoded.Message?.Payload is not DesiredPoolStatePayload desired)
        {
            // Kept on disk for a look; the controller's retained state replaces it once the broker is reachable.
            string problem = decoded.Rejection?.Kind == FarmRejection.Misattributed && decoded.Rejection.Payload is DesiredPoolStatePayload other
                ? Summary(DesiredPoolStateValidator.Validate(other, _options, null, ProfileOf).Problems)
                : decoded.Rejection?.Problem ?? "not a desired pool state";
            LogLoadFailed(_logger, FilePath, problem);
            return;
        }

        DesiredPoolStateValidation validation = DesiredPoolStateValidator.Validate(desired, _options, null, ProfileOf);
        if (!validation.IsUsable)
        {
            LogLoadFailed(_logger, FilePath, Summary(validation.Problems));
            return;
        }

        Hold(desired, validation);
        LogLoaded(_logger, desired.Generation, validation.Accepted.Count, FilePath);
        if (validation.Rejected.Count > 0)
        {
            // Re-checked against today's configuration: a miner since removed from Agent:Miners is rejected alone.
            LogLoadedRejected(_logger, validation.Rejected.Count, Summary(validation.Rejected.Select(r => r.Reason).ToList()));
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Desired pool state generation {Generation} for {MinerCount} miners accepted from {Source} ({RejectedCount} entries rejected)")]
    private static partial void LogAccepted(ILogger logger, long generation, int minerCount, int rejectedCount, string source);

    [LoggerMessage(Level = LogLevel.Information, Message = "Loaded desired pool state generation {Generation} for {MinerCount} miners from {Path}; enforcing it until the controller sends a newer one")]
    private static partial void LogLoaded(ILogger logger, long generation, int minerCount, string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{RejectedCount} entries of the stored desired pool state are not applied: {Reasons}")]
    private static partial void LogLoadedRejected(ILogger logger, int rejectedCount, string reasons);

    [LoggerMessage(Level = LogLevel.Error, Message = "Cannot use the stored desired pool state {Path}: {Problem}; no pools are enforced until the controller sends a valid state")]
    private static partial void LogLoadFailed(ILogger logger, string path, string problem);
}
