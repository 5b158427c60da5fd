using System.Text.Json;
using CloudMining.Farm.Agent.Configuration;
using CloudMining.Farm.Agent.Events;
using CloudMining.Farm.Agent.Polling;
using CloudMining.Farm.Shared.Contract;
using CloudMining.Farm.Shared.Firmware;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CloudMining.Farm.Agent.Pools;

/// <summary>
/// The rack's desired pool state: takes it from the controller (raw MQTT payloads), validates all of it first, keeps a
/// valid one in <c>{StateDirectory}/desired-pools.json</c> (temp file, fsync, rename: a crash leaves the old or the
/// new file, never half of one) and loads that file at start, so the agent keeps enforcing through restarts and
/// controller outages. An invalid or older state changes nothing and raises one <c>pools/desired-rejected</c> event.
/// </summary>
public sealed partial class DesiredPoolStateStore : IDesiredPoolStateView
{
    public const string FileName = "desired-pools.json";

    private readonly AgentOptions options;
    private readonly FirmwareProfileCatalog catalog;
    private readonly MinerHealthTracker? tracker;
    private readonly RackEventBus events;
    private readonly ILogger<DesiredPoolStateStore> logger;
    private readonly Lock gate = new();
    private DesiredPoolStatePayload? current;
    private long? storedGeneration;
    private ReportedRejection? rejection;

    public DesiredPoolStateStore(IOptions<AgentOptions> options, FirmwareProfileCatalog catalog, MinerHealthTracker? tracker, RackEventBus events, ILogger<DesiredPoolStateStore> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        this.options = options.Value;
        this.catalog = catalog ?? throw new ArgumentNullException(nameof(catalog));
        this.tracker = tracker;
        this.events = events ?? throw new ArgumentNullException(nameof(events));
        this.logger = logger ?? throw new ArgumentNullException(nameof(logger));
        Load();
    }

    /// <summary>Raised (on the caller's thread) after a new state was accepted or one was rejected.</summary>
    public event EventHandler? Changed;

    public string FilePath => Path.Combine(options.StateDirectory, FileName);

    public DesiredPoolStatePayload? Current
    {
        get
        {
            lock (gate)
            {
                return current;
            }
        }
    }

    /// <summary>The newest desired state refused since the current one was accepted, if any.</summary>
    public ReportedRejection? Rejection
    {
        get
        {
            lock (gate)
            {
                return rejection;
            }
        }
    }

    /// <summary>The firmware profile of a configured miner: its configured name, or what detection found at the last poll.</summary>
    public FirmwareProfile? ProfileOf(string minerId)
    {
        MinerOptions? miner = options.Miners.FirstOrDefault(m => string.Equals(m.Id, minerId, StringComparison.OrdinalIgnoreCase));
        if (miner is null)
        {
            return null;
        }

        string name = miner.Profile;
        if (string.Equals(name, MinerOptions.AutoProfile, StringComparison.OrdinalIgnoreCase))
        {
            name = tracker?.Current().FirstOrDefault(h => string.Equals(h.MinerId, miner.Id, StringComparison.OrdinalIgnoreCase))?.Snapshot?.Identity.Profile ?? string.Empty;
        }

        return catalog.TryGet(name, out FirmwareProfile profile) ? profile : null;
    }

    /// <summary>Parses, validates and (when valid and new) stores a payload from the desired topic.</summary>
    public DesiredIntakeOutcome Accept(ReadOnlyMemory<byte> payload, string source)
    {
        DesiredPoolStatePayload? desired;
        try
        {
            desired = ParseDesired(payload);
        }
        catch (JsonException e)
        {
            return Reject(null, $"not valid {DesiredPoolStatePayload.SchemaId} JSON: {e.Message}", source);
        }

        return Accept(desired!, source);
    }

    /// <summary>Validates and (when valid and new) stores a parsed desired state.</summary>
    public DesiredIntakeOutcome Accept(DesiredPoolStatePayload desired, string source)
    {
        ArgumentNullException.ThrowIfNull(desired);
        string? refused = null;
        lock (gate)
        {
            IReadOnlyList<string> problems = DesiredPoolStateValidator.Check(desired, options, storedGeneration, ProfileOf);
            if (problems.Count > 0)
            {
                refused = string.Join(" ", problems.Take(5)) + (problems.Count > 5 ? $" (and {problems.Count - 5} more)" : string.Empty);
            }
            else if (current is not null && current.Generation == desired.Generation && SameContent(current, desired))
            {
                return DesiredIntakeOutcome.Unchanged;
            }
            else
            {
                try
                {
                    Write(desired);
                    current = desired;
                    storedGeneration = desired.Generation;
                    rejection = null;
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

        LogAccepted(logger, desired.Generation, desired.Miners.Count, source);
        Changed?.Invoke(this, EventArgs.Empty);
        return DesiredIntakeOutcome.Accepted;
    }

    private static DesiredPoolStatePayload ParseDesired(ReadOnlyMemory<byte> json)
    {
        using JsonDocument doc = JsonDocument.Parse(json);
        if (doc.RootElement.ValueKind != JsonValueKind.Object)
        {
            throw new JsonException($"the payload is a JSON {doc.RootElement.ValueKind}, not an object");
        }

        if (!doc.RootElement.TryGetProperty("schema", out JsonElement schema) || schema.ValueKind != JsonValueKind.String || schema.GetString() != DesiredPoolStatePayload.SchemaId)
        {
            throw new JsonException($"\"schema\" must be \"{DesiredPoolStatePayload.SchemaId}\"");
        }

        return doc.RootElement.Deserialize(FarmJsonContext.Default.DesiredPoolStatePayload) ?? throw new JsonException("the payload is null");
    }

    private static bool SameContent(DesiredPoolStatePayload a, DesiredPoolStatePayload b) =>
        JsonSerializer.Serialize(Envelopeless(a), FarmJsonContext.Default.DesiredPoolStatePayload) ==
        JsonSerializer.Serialize(Envelopeless(b), FarmJsonContext.Default.DesiredPoolStatePayload);

    private static DesiredPoolStatePayload Envelopeless(DesiredPoolStatePayload d) => d with { Publisher = string.Empty, Seq = 0, Timestamp = default };

    private DesiredIntakeOutcome Reject(long? generation, string reason, string source)
    {
        lock (gate)
        {
            rejection = new ReportedRejection(generation, reason);
        }

        // One event per refused message; it is logged by the bus, so no second log line here.
        events.Raise(RackEvent.Warning("pools", "desired-rejected", null, $"desired pool state{(generation is { } g ? $" generation {g}" : string.Empty)} from {source} rejected, nothing changed: {reason}"));
        Changed?.Invoke(this, EventArgs.Empty);
        return DesiredIntakeOutcome.Rejected;
    }

    private void Write(DesiredPoolStatePayload desired)
    {
        Directory.CreateDirectory(options.StateDirectory);
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

        DesiredPoolStatePayload desired;
        try
        {
            desired = ParseDesired(File.ReadAllBytes(FilePath));
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
            // Kept on disk for a look; the controller's retained state replaces it once the broker is reachable.
            LogLoadFailed(logger, FilePath, e.Message);
            return;
        }

        storedGeneration = desired.Generation;
        IReadOnlyList<string> problems = DesiredPoolStateValidator.Check(desired, options, null, ProfileOf);
        if (problems.Count > 0)
        {
            LogLoadFailed(logger, FilePath, string.Join(" ", problems.Take(5)));
            return;
        }

        current = desired;
        LogLoaded(logger, desired.Generation, desired.Miners.Count, FilePath);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Desired pool state generation {Generation} for {MinerCount} miners accepted from {Source}")]
    private static partial void LogAccepted(ILogger logger, long generation, int minerCount, string source);

    [LoggerMessage(Level = LogLevel.Information, Message = "Loaded desired pool state generation {Generation} for {MinerCount} miners from {Path}; enforcing it until the controller sends a newer one")]
    private static partial void LogLoaded(ILogger logger, long generation, int minerCount, string path);

    [LoggerMessage(Level = LogLevel.Error, Message = "Cannot use the stored desired pool state {Path}: {Problem}; no pools are enforced until the controller sends a valid state")]
    private static partial void LogLoadFailed(ILogger logger, string path, string problem);
}
