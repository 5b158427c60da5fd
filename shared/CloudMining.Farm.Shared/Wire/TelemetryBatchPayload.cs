using System.Text.Json.Serialization;

namespace CloudMining.Farm.Shared.Wire;

/// <summary>
/// Published on farm/v1/{site}/{rack}/telemetry-batch: one message per rack per cycle carrying every answering miner's
/// reading (docs/mqtt-contract.md, "Telemetry batch"). Compact: site and rack once (from the envelope, checked against
/// the topic like every payload), each distinct pool (url, worker) once in <see cref="Pools"/> and referred to by its
/// position, readings with short keys (<see cref="TelemetryBatchEntry"/>). Units as in <see cref="MinerTelemetryPayload"/>.
/// An entry the receiver cannot read (a non-finite number, a string where a number belongs, a missing id) rejects that
/// entry alone (<see cref="TelemetryBatchEntry.Problem"/>); only a broken envelope rejects the batch.
/// </summary>
public sealed record TelemetryBatchPayload : FarmMessage
{
    public const string SchemaId = "farm.v1.telemetry-batch";

    /// <summary>Most readings one batch may carry; a larger rack publishes several batches per cycle.</summary>
    public const int MaxMiners = 500;

    /// <summary>Most distinct pools one batch may name.</summary>
    public const int MaxPools = 1024;

    /// <summary>
    /// Largest payload a publisher puts in one batch (the agent starts another batch beyond it): half of
    /// <see cref="FarmMqttLimits.MaxPacketSize"/>, so no batch comes near what the broker refuses.
    /// </summary>
    public const int MaxBytes = FarmMqttLimits.MaxPacketSize / 2;

    private readonly IReadOnlyList<TelemetryBatchPool> _pools = [];
    private readonly IReadOnlyList<TelemetryBatchEntry> _miners = [];

    public override string Schema => SchemaId;

    public required string Site { get; init; }

    public required string Rack { get; init; }

    /// <summary>Each distinct pool the readings name, once; an entry's pool refers to it by position (<see cref="TelemetryBatchPoolReading.Ref"/>).</summary>
    public IReadOnlyList<TelemetryBatchPool> Pools { get => _pools; init => _pools = value ?? []; }

    /// <summary>One reading per miner; entries that could not be read carry their <see cref="TelemetryBatchEntry.Problem"/>.</summary>
    [JsonConverter(typeof(TelemetryBatchEntriesConverter))]
    public IReadOnlyList<TelemetryBatchEntry> Miners { get => _miners; init => _miners = value ?? []; }

    /// <inheritdoc />
    public override string? Malformation() =>
        base.Malformation()
        ?? FirstNull(("site", Site), ("rack", Rack))
        ?? (Miners.Count > MaxMiners ? $"\"miners\" has {Miners.Count} readings, more than {MaxMiners} per batch; publish the rack in several batches" : null)
        ?? (Pools.Count > MaxPools ? $"\"pools\" names {Pools.Count} pools, more than {MaxPools}" : null)
        ?? NullItem("pools", Pools)
        ?? NullPoolUrl(Pools);

    /// <summary>
    /// Every entry as the per-miner telemetry it stands for (site and rack from this envelope, publisher, seq and ts
    /// from the batch), or why that entry is rejected: unreadable, a miner id that is not a valid topic level, a miner
    /// listed twice (the later entry), a pool reference outside <see cref="Pools"/>. Call on a well-formed envelope.
    /// </summary>
    public IEnumerable<TelemetryBatchReading> Readings()
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < Miners.Count; i++)
        {
            TelemetryBatchEntry? entry = Miners[i];
            string? problem = entry is null ? "is null" : entry.Problem ?? EntryProblem(entry);
            if (problem is null && !seen.Add(entry!.MinerId))
            {
                problem = $"miner '{entry.MinerId}' is listed twice in this batch (the first entry was used)";
            }

            yield return problem is null
                ? new TelemetryBatchReading(i, entry!.MinerId, ToTelemetry(entry), null)
                : new TelemetryBatchReading(i, entry?.MinerId, null, problem);
        }
    }

    /// <summary>
    /// Builds batches from per-miner telemetry of one rack (built by <see cref="MinerTelemetryPayload.From"/>): at most
    /// <see cref="MaxMiners"/> readings and about <paramref name="maxBytes"/> of JSON per batch, each with its own seq.
    /// A batch keeps everything the controller reads (readings, pools with their counters, fan speeds); board details,
    /// fan duty and warnings stay in per-miner telemetry only.
    /// </summary>
    public static IReadOnlyList<TelemetryBatchPayload> From(IReadOnlyList<MinerTelemetryPayload> readings, string site, string rack, string publisher, Func<long> nextSeq, DateTimeOffset timestamp, int maxBytes = MaxBytes)
    {
        ArgumentNullException.ThrowIfNull(readings);
        ArgumentNullException.ThrowIfNull(nextSeq);
        var batches = new List<TelemetryBatchPayload>();
        var pools = new List<TelemetryBatchPool>();
        var poolIndex = new Dictionary<(string Url, string? User), int>();
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
                Seq = nextSeq(),
                Timestamp = timestamp,
                Site = site,
                Rack = rack,
                Pools = [.. pools],
                Miners = [.. entries],
            });
            pools.Clear();
            poolIndex.Clear();
            entries.Clear();
            bytes = 0;
        }

        foreach (MinerTelemetryPayload t in readings)
        {
            // A rough size (the entry's numbers and ids, each pool's url and worker once): enough to stay far below the limit.
            long size = 160 + (t.MinerId.Length + t.Profile.Length + (t.Model?.Length ?? 0) + (t.Firmware?.Length ?? 0)) + (t.Fans.Count * 8) + (t.Pools.Count * 120);
            foreach (TelemetryPool p in t.Pools)
            {
                if (!poolIndex.ContainsKey((p.Url, p.User)))
                {
                    size += p.Url.Length + (p.User?.Length ?? 0) + 24;
                }
            }

            if (entries.Count == MaxMiners || (entries.Count > 0 && bytes + size > maxBytes))
            {
                Flush();
            }

            bytes += size;
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
                Pools = [.. t.Pools.Select(p => new TelemetryBatchPoolReading
                {
                    Ref = PoolRef(p),
                    Index = p.Index,
                    Status = p.Status,
                    Priority = p.Priority,
                    Active = p.Active,
                    Accepted = p.Accepted,
                    Rejected = p.Rejected,
                    Stale = p.Stale,
                    DifficultyAccepted = p.DifficultyAccepted,
                    DifficultyRejected = p.DifficultyRejected,
                    DifficultyStale = p.DifficultyStale,
                    Quota = p.Quota,
                })],
            });
        }

        Flush();
        return batches;

        int PoolRef(TelemetryPool p)
        {
            if (!poolIndex.TryGetValue((p.Url, p.User), out int at))
            {
                at = pools.Count;
                poolIndex[(p.Url, p.User)] = at;
                pools.Add(new TelemetryBatchPool { Url = p.Url, User = p.User });
            }

            return at;
        }
    }

    private string? EntryProblem(TelemetryBatchEntry entry)
    {
        if (FarmTopics.IdProblem(entry.MinerId) is { } idProblem)
        {
            return $"\"id\" {idProblem}";
        }

        if (entry.Profile is null)
        {
            return "\"pf\" (profile) is null";
        }

        if (NullItem("pl", entry.Pools) is { } nullPool)
        {
            return nullPool;
        }

        for (int p = 0; p < entry.Pools.Count; p++)
        {
            int poolRef = entry.Pools[p].Ref;
            if (poolRef < 0 || poolRef >= Pools.Count)
            {
                return $"\"pl[{p}].p\" refers to pool {poolRef}, but the batch names {Pools.Count} pools";
            }
        }

        return null;
    }

    private MinerTelemetryPayload ToTelemetry(TelemetryBatchEntry e) => new()
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
        Pools = [.. e.Pools.Select(p => new TelemetryPool
        {
            Index = p.Index,
            Url = Pools[p.Ref].Url,
            User = Pools[p.Ref].User,
            Status = p.Status,
            Priority = p.Priority,
            Active = p.Active,
            Accepted = p.Accepted,
            Rejected = p.Rejected,
            Stale = p.Stale,
            DifficultyAccepted = p.DifficultyAccepted,
            DifficultyRejected = p.DifficultyRejected,
            DifficultyStale = p.DifficultyStale,
            Quota = p.Quota,
        })],
    };

    private static string? NullPoolUrl(IReadOnlyList<TelemetryBatchPool> pools)
    {
        for (int i = 0; i < pools.Count; i++)
        {
            if (pools[i].Url is null)
            {
                return $"\"pools[{i}].url\" is null";
            }
        }

        return null;
    }
}

/// <summary>One entry of <see cref="TelemetryBatchPayload.Readings"/>: the reading, or why entry <see cref="Index"/> was rejected.</summary>
public readonly record struct TelemetryBatchReading(int Index, string? MinerId, MinerTelemetryPayload? Telemetry, string? Problem);

/// <summary>A pool named once per batch.</summary>
public sealed record TelemetryBatchPool
{
    public required string Url { get; init; }

    /// <summary>Worker name (account.worker); a name, not a secret.</summary>
    public string? User { get; init; }
}

/// <summary>One miner's reading in a batch, with short keys (the names in <see cref="MinerTelemetryPayload"/> in brackets).</summary>
public sealed record TelemetryBatchEntry
{
    private readonly IReadOnlyList<TelemetryBatchPoolReading> _pools = [];

    [JsonPropertyName("id")]
    public required string MinerId { get; init; }

    [JsonPropertyName("pf")]
    public required string Profile { get; init; }

    [JsonPropertyName("mo")]
    public string? Model { get; init; }

    [JsonPropertyName("fw")]
    public string? Firmware { get; init; }

    [JsonPropertyName("at")]
    public DateTimeOffset? ReadAt { get; init; }

    [JsonPropertyName("h5")]
    public double? Hashrate5sHs { get; init; }

    [JsonPropertyName("ha")]
    public double? HashrateAverageHs { get; init; }

    [JsonPropertyName("hn")]
    public double? HashrateNominalHs { get; init; }

    [JsonPropertyName("w")]
    public double? PowerW { get; init; }

    [JsonPropertyName("t")]
    public double? MaxChipTempC { get; init; }

    [JsonPropertyName("up")]
    public double? UptimeS { get; init; }

    [JsonPropertyName("hw")]
    public long? HardwareErrors { get; init; }

    /// <summary>Fan speeds in rpm, fan index = position.</summary>
    [JsonPropertyName("fan")]
    public IReadOnlyList<int>? FanRpm { get; init; }

    [JsonPropertyName("pl")]
    public IReadOnlyList<TelemetryBatchPoolReading> Pools { get => _pools; init => _pools = value ?? []; }

    /// <summary>Why the receiver could not read this entry (set while reading, never sent).</summary>
    [JsonIgnore]
    public string? Problem { get; init; }
}

/// <summary>One pool of one miner in a batch: the pool by reference, its counters.</summary>
public sealed record TelemetryBatchPoolReading
{
    /// <summary>Position of the pool in the batch's <see cref="TelemetryBatchPayload.Pools"/>.</summary>
    [JsonPropertyName("p")]
    public required int Ref { get; init; }

    /// <summary>The miner's own pool index.</summary>
    [JsonPropertyName("i")]
    public required int Index { get; init; }

    [JsonPropertyName("st")]
    public string? Status { get; init; }

    [JsonPropertyName("pr")]
    public int? Priority { get; init; }

    [JsonPropertyName("on")]
    public bool? Active { get; init; }

    [JsonPropertyName("a")]
    public long Accepted { get; init; }

    [JsonPropertyName("r")]
    public long Rejected { get; init; }

    [JsonPropertyName("s")]
    public long Stale { get; init; }

    [JsonPropertyName("da")]
    public double? DifficultyAccepted { get; init; }

    [JsonPropertyName("dr")]
    public double? DifficultyRejected { get; init; }

    [JsonPropertyName("ds")]
    public double? DifficultyStale { get; init; }

    [JsonPropertyName("q")]
    public int? Quota { get; init; }
}
