using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CloudMining.Farm.Controller.Admission;

/// <summary>
/// Decides which rack's report of a miner the allocator may see, so nothing a rack sends makes the controller sell what
/// it has not seen work:
/// <list type="bullet">
/// <item><b>Probation</b>: a miner id never seen before is not sellable until it has given enough healthy readings over
/// a long enough span; then it is known (persisted, so a restart does not make the fleet new again).</item>
/// <item><b>Ownership</b>: a miner belongs to the rack that reports it first. The same id from another rack is a
/// <see cref="MinerConflict"/> for the operator, never a move — unless its own rack has not reported it for the
/// owner-silent period, when it moved for real and goes with the rack that reports it now.</item>
/// </list>
/// Not thread-safe: the engine calls it under its lock.
/// </summary>
public sealed partial class MinerAdmission
{
    private readonly int _probationReadings;
    private readonly TimeSpan _probationSpan;
    private readonly TimeSpan _ownerSilent;
    private readonly ILogger _logger;
    private readonly Dictionary<string, KnownMiner> _known = new(StringComparer.Ordinal);
    private readonly HashSet<string> _knownWithoutRack = new(StringComparer.Ordinal);
    private readonly Dictionary<string, MinerProbation> _probation = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Miner, string Rack), MinerConflict> _conflicts = [];
    private readonly List<KnownMiner> _changes = [];
    private DateTimeOffset _trackingStart;

    public MinerAdmission(int probationReadings, TimeSpan probationSpan, TimeSpan ownerSilent, ILogger? logger = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(probationReadings, 1);
        _probationReadings = probationReadings;
        _probationSpan = probationSpan;
        _ownerSilent = ownerSilent;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>Miner ids on probation now, with their record.</summary>
    public IReadOnlyDictionary<string, MinerProbation> OnProbation => _probation;

    /// <summary>Conflicts open now, ordered by miner and claiming rack.</summary>
    public IReadOnlyList<MinerConflict> Conflicts =>
        [.. _conflicts.Values.OrderBy(c => c.MinerId, StringComparer.Ordinal).ThenBy(c => c.ClaimingRack, StringComparer.Ordinal)];

    /// <summary>
    /// Starts from what the store knows: admitted miners with their racks, and miner ids known without a rack (in the
    /// stored allocation or drained), which belong to the first rack that reports them, without probation.
    /// </summary>
    public void Load(IEnumerable<KnownMiner> stored, IEnumerable<string> alsoKnown, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(stored);
        ArgumentNullException.ThrowIfNull(alsoKnown);
        foreach (KnownMiner k in stored)
        {
            _known[k.MinerId] = k;
        }

        foreach (string id in alsoKnown)
        {
            if (!_known.ContainsKey(id))
            {
                _knownWithoutRack.Add(id);
            }
        }

        _trackingStart = now;
    }

    /// <summary>The rack a miner id belongs to (admitted or on probation); null when never heard.</summary>
    public string? OwnerOf(string minerId) =>
        _known.TryGetValue(minerId, out KnownMiner? k) ? k.Rack : _probation.TryGetValue(minerId, out MinerProbation? p) ? p.Rack : null;

    /// <summary>Admitted or ownership changes not yet persisted; taking them clears the list.</summary>
    public IReadOnlyList<KnownMiner> TakeChanges()
    {
        KnownMiner[] taken = [.. _changes];
        _changes.Clear();
        return taken;
    }

    /// <summary>Puts changes back after a failed save, so the next tick saves them again.</summary>
    public void ReturnChanges(IEnumerable<KnownMiner> unsaved) => _changes.InsertRange(0, unsaved);

    /// <summary>
    /// Folds the current sightings into probation, ownership and conflicts, and returns the (miner, rack) sightings the
    /// allocator may see: admitted miners, each from its own rack only.
    /// </summary>
    public IReadOnlySet<(string MinerId, string Rack)> Admit(IEnumerable<MinerSighting> sightings, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(sightings);
        var admitted = new HashSet<(string, string)>();
        var present = new HashSet<string>(StringComparer.Ordinal);
        foreach (IGrouping<string, MinerSighting> group in sightings.GroupBy(s => s.MinerId, StringComparer.Ordinal))
        {
            present.Add(group.Key);
            if (Admit(group.Key, [.. group], now) is { } rack)
            {
                admitted.Add((group.Key, rack));
            }
        }

        foreach ((string miner, string rack) in _conflicts.Keys.Where(k => !present.Contains(k.Miner)).ToList())
        {
            _conflicts.Remove((miner, rack));
        }

        return admitted;
    }

    private string? Admit(string id, List<MinerSighting> sightings, DateTimeOffset now)
    {
        string owner = OwnerOf(id) ?? Adopt(id, sightings, now);
        MinerSighting? own = sightings.FirstOrDefault(s => s.Rack == owner);
        List<MinerSighting> claims = LiveClaims(sightings, owner, now);
        DateTimeOffset ownerLast = Max(own?.TelemetryAt ?? DateTimeOffset.MinValue, _trackingStart);
        if (claims.Count > 0 && now - ownerLast >= _ownerSilent)
        {
            MinerSighting to = claims.MaxBy(s => s.TelemetryAt)!;
            Transfer(id, owner, to.Rack, now);
            owner = to.Rack;
            own = to;
            claims = LiveClaims(sightings, owner, now);
        }

        TrackConflicts(id, owner, claims, now);
        if (own is null)
        {
            return null;
        }

        if (_probation.TryGetValue(id, out MinerProbation? candidate))
        {
            candidate.Observe(own, now);
            if (!candidate.Passed(_probationReadings, _probationSpan, now))
            {
                return null;
            }

            _probation.Remove(id);
            Know(new KnownMiner(id, owner, now));
            LogProbationPassed(_logger, id, owner, candidate.HealthyReadings, candidate.HealthySince);
        }

        return owner;
    }

    // The first sighting of an id: known without a rack (stored allocation, drain) → belongs to the rack reporting it;
    // never seen → on probation there. Several racks at once: the freshest reading, then the rack id, decides.
    private string Adopt(string id, List<MinerSighting> sightings, DateTimeOffset now)
    {
        MinerSighting first = sightings
            .OrderByDescending(s => s.TelemetryAt ?? DateTimeOffset.MinValue)
            .ThenBy(s => s.Rack, StringComparer.Ordinal)
            .First();
        if (_knownWithoutRack.Remove(id))
        {
            Know(new KnownMiner(id, first.Rack, now));
            return first.Rack;
        }

        _probation[id] = new MinerProbation(first.Rack, now);
        LogOnProbation(_logger, id, first.Rack, _probationReadings, _probationSpan.TotalMinutes);

        return first.Rack;
    }

    private List<MinerSighting> LiveClaims(List<MinerSighting> sightings, string owner, DateTimeOffset now) =>
        [.. sightings.Where(s => s.Rack != owner && s.TelemetryAt is { } at && now - at < _ownerSilent)];

    private void Transfer(string id, string from, string to, DateTimeOffset now)
    {
        if (_known.TryGetValue(id, out KnownMiner? k))
        {
            Know(k with { Rack = to });
        }
        else
        {
            _probation[id] = new MinerProbation(to, now);
        }

        foreach ((string miner, string rack) in _conflicts.Keys.Where(c => c.Miner == id).ToList())
        {
            _conflicts.Remove((miner, rack));
        }

        LogTransferred(_logger, id, to, from, _ownerSilent.TotalMinutes);
    }

    private void TrackConflicts(string id, string owner, List<MinerSighting> claims, DateTimeOffset now)
    {
        foreach (MinerSighting claim in claims)
        {
            if (!_conflicts.ContainsKey((id, claim.Rack)))
            {
                _conflicts[(id, claim.Rack)] = new MinerConflict(id, owner, claim.Rack, now);
                LogConflict(_logger, claim.Rack, id, owner, _ownerSilent.TotalMinutes);
            }
        }

        foreach ((string miner, string rack) in _conflicts.Keys.Where(c => c.Miner == id && claims.All(x => x.Rack != c.Rack)).ToList())
        {
            _conflicts.Remove((miner, rack));
            LogConflictEnded(_logger, miner, rack);
        }
    }

    private void Know(KnownMiner k)
    {
        _known[k.MinerId] = k;
        _changes.RemoveAll(c => c.MinerId == k.MinerId);
        _changes.Add(k);
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    [LoggerMessage(Level = LogLevel.Information, Message = "Miner {MinerId} on rack {Rack} passed probation ({Readings} healthy readings since {Since:O}); it is sellable from now on")]
    private static partial void LogProbationPassed(ILogger logger, string minerId, string rack, int readings, DateTimeOffset? since);

    [LoggerMessage(Level = LogLevel.Information, Message = "New miner {MinerId} reported by rack {Rack}: on probation, not sellable until {Readings} healthy readings over {Minutes} min")]
    private static partial void LogOnProbation(ILogger logger, string minerId, string rack, int readings, double minutes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Miner {MinerId} now belongs to rack {Rack}: its rack {OldRack} has not reported it for {Minutes} min while {Rack} does")]
    private static partial void LogTransferred(ILogger logger, string minerId, string rack, string oldRack, double minutes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Miner id conflict: rack {ClaimingRack} reports miner {MinerId}, which belongs to rack {OwnerRack}; ignoring {ClaimingRack}'s reports (nothing moves) until {OwnerRack} has not reported it for {Minutes} min. Check both racks' miner lists for a duplicate or mistyped id")]
    private static partial void LogConflict(ILogger logger, string claimingRack, string minerId, string ownerRack, double minutes);

    [LoggerMessage(Level = LogLevel.Information, Message = "Miner id conflict over {MinerId} ended: rack {ClaimingRack} no longer reports it")]
    private static partial void LogConflictEnded(ILogger logger, string minerId, string claimingRack);
}
