using System.Text.Json.Serialization;

namespace CloudMining.Farm.Shared.Wire;

/// <summary>
/// Published on farm/v1/{site}/{rack}/telemetry-batch: one message per rack per cycle carrying every answering miner's
/// reading (docs/mqtt-contract.md, "Telemetry batch"). In memory each entry is a whole reading
/// (<see cref="TelemetryBatchEntry"/>); on the wire (<see cref="TelemetryBatchConverter"/>) the batch is compact: site
/// and rack once, each distinct (profile, model, firmware) once in "kinds" and each distinct pool once in "pools", the
/// column names once in "cols" / "pcols", and one array of values per miner. Units as in <see cref="MinerTelemetryPayload"/>.
/// An entry the receiver cannot read (a non-finite number, a string where a number belongs, a missing id, a reference
/// outside its table) rejects that entry alone (<see cref="TelemetryBatchEntry.Problem"/>); only a broken envelope
/// rejects the batch.
/// </summary>
[JsonConverter(typeof(TelemetryBatchConverter))]
public sealed record TelemetryBatchPayload : FarmMessage
{
    public const string SchemaId = "farm.v1.telemetry-batch";

    /// <summary>Most readings one batch may carry; a larger rack publishes several batches per cycle.</summary>
    public const int MaxMiners = 1000;

    /// <summary>Most distinct pools, and most distinct kinds (profile, model, firmware), one batch may name.</summary>
    public const int MaxPools = 1024;

    /// <summary>
    /// Largest payload a publisher puts in one batch (the agent starts another batch beyond it): half of
    /// <see cref="FarmMqttLimits.MaxPacketSize"/>, so no batch comes near what the broker refuses.
    /// </summary>
    public const int MaxBytes = FarmMqttLimits.MaxPacketSize / 2;

    private readonly IReadOnlyList<TelemetryBatchEntry> _miners = [];

    public override string Schema => SchemaId;

    public required string Site { get; init; }

    public required string Rack { get; init; }

    /// <summary>One reading per miner; entries that could not be read carry their <see cref="TelemetryBatchEntry.Problem"/>.</summary>
    public IReadOnlyList<TelemetryBatchEntry> Miners { get => _miners; init => _miners = value ?? []; }

    /// <summary>How many distinct pools the batch named on the wire (set while reading; the writer counts its own).</summary>
    [JsonIgnore]
    public int PoolsNamed { get; init; }

    /// <summary>How many distinct kinds the batch named on the wire (set while reading).</summary>
    [JsonIgnore]
    public int KindsNamed { get; init; }

    /// <inheritdoc />
    public override string? Malformation() =>
        base.Malformation()
        ?? FirstNull(("site", Site), ("rack", Rack))
        ?? (Miners.Count > MaxMiners ? $"\"miners\" has {Miners.Count} readings, more than {MaxMiners} per batch; publish the rack in several batches" : null)
        ?? (PoolsNamed > MaxPools ? $"\"pools\" names {PoolsNamed} pools, more than {MaxPools}" : null)
        ?? (KindsNamed > MaxPools ? $"\"kinds\" names {KindsNamed} kinds, more than {MaxPools}" : null)
        ?? NullItem("miners", Miners);

    /// <summary>
    /// Why entry <paramref name="index"/> cannot be used, or null: unreadable, a miner id that is not a valid topic level,
    /// no profile, or a miner already listed earlier in this batch (<paramref name="seen"/> collects the ids used so far;
    /// the later entry is rejected). Call on a well-formed envelope, entries in order.
    /// </summary>
    public string? EntryProblem(int index, HashSet<string> seen)
    {
        ArgumentNullException.ThrowIfNull(seen);
        TelemetryBatchEntry entry = Miners[index];
        if (entry.Problem is { } problem)
        {
            return problem;
        }

        if (FarmTopics.IdProblem(entry.MinerId) is { } idProblem)
        {
            return $"\"id\" {idProblem}";
        }

        if (entry.Profile is null)
        {
            return "\"k\" (the kind naming the profile) is missing";
        }

        if (NullItem("pl", entry.Pools) is { } nullPool)
        {
            return nullPool;
        }

        return seen.Add(entry.MinerId) ? null : $"miner '{entry.MinerId}' is listed twice in this batch (the first entry was used)";
    }

    /// <summary>
    /// Every entry as the per-miner telemetry it stands for (site and rack from this envelope, publisher, seq and ts
    /// from the batch), or why that entry is rejected (<see cref="EntryProblem"/>). Allocates a payload per entry: for
    /// tests and tools; the controller folds entries directly (<c>TelemetryBatchFold</c>).
    /// </summary>
    public IEnumerable<TelemetryBatchReading> Readings()
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < Miners.Count; i++)
        {
            string? problem = EntryProblem(i, seen);
            TelemetryBatchEntry entry = Miners[i];
            yield return problem is null
                ? new TelemetryBatchReading(i, entry.MinerId, ToTelemetry(entry), null)
                : new TelemetryBatchReading(i, entry.MinerId, null, problem);
        }
    }

    /// <summary>The per-miner telemetry <paramref name="e"/> stands for (boards, fan duty and warnings are not in a batch).</summary>
    public MinerTelemetryPayload ToTelemetry(TelemetryBatchEntry e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return new MinerTelemetryPayload
        {
            Publisher = Publisher,
            Seq = Seq,
            Timestamp = Timestamp,
            Site = Site,
            Rack = Rack,
            MinerId = e.MinerId,
            Profile = e.Profile,
            Model = e.Model,
            Firmware = e.Firmware,
            ReadAt = e.ReadAt,
            Hashrate5sHs = e.Hashrate5sHs,
            HashrateAverageHs = e.HashrateAverageHs,
            HashrateNominalHs = e.HashrateNominalHs,
            PowerW = e.PowerW,
            MaxChipTempC = e.MaxChipTempC,
            UptimeS = e.UptimeS,
            HardwareErrors = e.HardwareErrors,
            Fans = e.FanRpm is null ? [] : [.. e.FanRpm.Select((rpm, i) => new TelemetryFan(i, rpm, null))],
            Pools = e.Pools,
        };
    }

    /// <summary>
    /// Builds batches from per-miner telemetry of one rack (built by <see cref="MinerTelemetryPayload.From"/>): at most
    /// <paramref name="maxMiners"/> readings and about <paramref name="maxBytes"/> of JSON per batch. Seq is 0: the
    /// publisher's link stamps it (and the timestamp) as each batch goes out. A batch keeps everything the controller
    /// reads (readings, pools with their counters, fan speeds); board details, fan duty and warnings stay in per-miner
    /// telemetry only.
    /// </summary>
    public static IReadOnlyList<TelemetryBatchPayload> From(IReadOnlyList<MinerTelemetryPayload> readings, string site, string rack, string publisher, DateTimeOffset timestamp, int maxBytes = MaxBytes, int maxMiners = MaxMiners)
    {
        ArgumentNullException.ThrowIfNull(readings);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxMiners, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxMiners, MaxMiners);
        var batches = new List<TelemetryBatchPayload>();
        var pools = new HashSet<(string Url, string? User)>();
        var kinds = new HashSet<(string Profile, string? Model, string? Firmware)>();
        var entries = new List<TelemetryBatchEntry>();
        long bytes = 0;

        void Flush()
        {
            if (entries.Count == 0)
            {
                return;
            }

            batches.Add(new TelemetryBatchPayload
            {
                Publisher = publisher,
                Seq = 0,
                Timestamp = timestamp,
                Site = site,
                Rack = rack,
                Miners = [.. entries],
            });
            pools.Clear();
            kinds.Clear();
            entries.Clear();
            bytes = 0;
        }

        foreach (MinerTelemetryPayload t in readings)
        {
            // A generous size (every number at its longest, each new pool or kind named once): far below the limit.
            long size = 220 + t.MinerId.Length + (t.Fans.Count * 7) + (t.Pools.Count * 190);
            foreach (TelemetryPool p in t.Pools)
            {
                if (!pools.Contains((p.Url, p.User)))
                {
                    size += p.Url.Length + (p.User?.Length ?? 0) + 24;
                }
            }

            if (!kinds.Contains((t.Profile, t.Model, t.Firmware)))
            {
                size += t.Profile.Length + (t.Model?.Length ?? 0) + (t.Firmware?.Length ?? 0) + 30;
            }

            if (entries.Count == maxMiners || (entries.Count > 0 && bytes + size > maxBytes))
            {
                Flush();
            }

            bytes += size;
            foreach (TelemetryPool p in t.Pools)
            {
                pools.Add((p.Url, p.User));
            }

            kinds.Add((t.Profile, t.Model, t.Firmware));
            entries.Add(new TelemetryBatchEntry
            {
                MinerId = t.MinerId,
                Profile = t.Profile,
                Model = t.Model,
                Firmware = t.Firmware,
                ReadAt = t.ReadAt,
                Hashrate5sHs = t.Hashrate5sHs,
                HashrateAverageHs = t.HashrateAverageHs,
                HashrateNominalHs = t.HashrateNominalHs,
                PowerW = t.PowerW,
                MaxChipTempC = t.MaxChipTempC,
                UptimeS = t.UptimeS,
                HardwareErrors = t.HardwareErrors,
                FanRpm = t.Fans.Count == 0 ? null : [.. t.Fans.Select(f => f.Rpm)],
                Pools = t.Pools,
            });
        }

        Flush();
        return batches;
    }
}

/// <summary>One entry of <see cref="TelemetryBatchPayload.Readings"/>: the reading, or why entry <see cref="Index"/> was rejected.</summary>
public readonly record struct TelemetryBatchReading(int Index, string? MinerId, MinerTelemetryPayload? Telemetry, string? Problem);

/// <summary>
/// One miner's reading in a batch, as the receiver holds it: the names of <see cref="MinerTelemetryPayload"/>, profile,
/// model and firmware resolved from the batch's "kinds", each pool's url and worker from its "pools" (the same
/// <see cref="TelemetryPool"/> per-miner telemetry carries). The wire form is a row of values (<see cref="TelemetryBatchConverter"/>).
/// </summary>
public sealed record TelemetryBatchEntry
{
    private readonly IReadOnlyList<TelemetryPool> _pools = [];

    /// <summary>The miner id; null only in an entry that could not be read (<see cref="Problem"/>).</summary>
    public required string MinerId { get; init; }

    /// <summary>The firmware profile; null only in an entry that could not be read or named no kind.</summary>
    public required string Profile { get; init; }

    public string? Model { get; init; }

    public string? Firmware { get; init; }

    public DateTimeOffset? ReadAt { get; init; }

    public double? Hashrate5sHs { get; init; }

    public double? HashrateAverageHs { get; init; }

    public double? HashrateNominalHs { get; init; }

    public double? PowerW { get; init; }

    public double? MaxChipTempC { get; init; }

    public double? UptimeS { get; init; }

    public long? HardwareErrors { get; init; }

    /// <summary>Fan speeds in rpm, fan index = position.</summary>
    public IReadOnlyList<int>? FanRpm { get; init; }

    /// <summary>The miner's pools with their counters (accepted difficulty is what proof of delivery sums).</summary>
    public IReadOnlyList<TelemetryPool> Pools { get => _pools; init => _pools = value ?? []; }

    /// <summary>Why the receiver could not read this entry (set while reading, never sent).</summary>
    [JsonIgnore]
    public string? Problem { get; init; }
}
