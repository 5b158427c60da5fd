using CloudMining.Farm.Shared.Snapshots;

namespace CloudMining.Farm.Shared.Wire;

/// <summary>Published on farm/v1/{site}/{rack}/miners/{minerId}/telemetry after each poll. Units: H/s, °C, W, s.</summary>
public sealed record MinerTelemetryPayload : FarmMessage
{
    public const string SchemaId = "farm.v1.telemetry";

    // Absent or null lists read as empty: the serializer's generated code assigns every init-only member, so an
    // initializer alone would leave a list omitted from the JSON (or sent as null) null for every consumer.
    private readonly IReadOnlyList<TelemetryBoard> _boards = [];
    private readonly IReadOnlyList<TelemetryFan> _fans = [];
    private readonly IReadOnlyList<TelemetryPool> _pools = [];
    private readonly IReadOnlyList<string> _warnings = [];

    public override string Schema => SchemaId;

    public required string Site { get; init; }

    public required string Rack { get; init; }

    public required string MinerId { get; init; }

    public required string Profile { get; init; }

    public string? Model { get; init; }

    public string? Firmware { get; init; }

    /// <summary>When the miner answered (its own clock where it says so).</summary>
    public DateTimeOffset? ReadAt { get; init; }

    public double? Hashrate5sHs { get; init; }

    public double? HashrateAverageHs { get; init; }

    public double? HashrateNominalHs { get; init; }

    public double? PowerW { get; init; }

    public double? MaxChipTempC { get; init; }

    public double? UptimeS { get; init; }

    public long? HardwareErrors { get; init; }

    public IReadOnlyList<TelemetryBoard> Boards { get => _boards; init => _boards = value ?? []; }

    public IReadOnlyList<TelemetryFan> Fans { get => _fans; init => _fans = value ?? []; }

    public IReadOnlyList<TelemetryPool> Pools { get => _pools; init => _pools = value ?? []; }

    public IReadOnlyList<string> Warnings { get => _warnings; init => _warnings = value ?? []; }

    /// <inheritdoc />
    public override string? Malformation() =>
        base.Malformation()
        ?? FirstNull(("site", Site), ("rack", Rack), ("minerId", MinerId), ("profile", Profile))
        ?? NullItem("boards", Boards)
        ?? NullItem("fans", Fans)
        ?? NullItem("pools", Pools)
        ?? NullItem("warnings", Warnings)
        ?? NullPoolUrl(Pools);

    private static string? NullPoolUrl(IReadOnlyList<TelemetryPool> pools)
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

    /// <summary>Builds the payload from a snapshot; pool URLs are stripped of credentials.</summary>
    public static MinerTelemetryPayload From(MinerSnapshot snapshot, string site, string rack, string minerId, string publisher, long seq, DateTimeOffset timestamp)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        return new MinerTelemetryPayload
        {
            Publisher = publisher,
            Seq = seq,
            Timestamp = timestamp,
            Site = site,
            Rack = rack,
            MinerId = minerId,
            Profile = snapshot.Identity.Profile,
            Model = snapshot.Identity.Model,
            Firmware = snapshot.Identity.FirmwareVersion ?? snapshot.Identity.Firmware,
            ReadAt = snapshot.Timestamp,
            Hashrate5sHs = snapshot.Hashrate5s?.HashesPerSecond,
            HashrateAverageHs = snapshot.HashrateAverage?.HashesPerSecond,
            HashrateNominalHs = snapshot.HashrateNominal?.HashesPerSecond,
            PowerW = snapshot.Power?.Watts,
            MaxChipTempC = snapshot.MaxChipTemperature?.Celsius,
            UptimeS = snapshot.Uptime?.TotalSeconds,
            HardwareErrors = snapshot.HardwareErrors,
            Boards = [.. snapshot.Boards.Select(b => new TelemetryBoard
            {
                Index = b.Index,
                HashrateHs = b.Hashrate?.HashesPerSecond,
                ChipTempC = b.ChipTemperature?.Celsius,
                BoardTempC = b.BoardTemperature?.Celsius,
                Chips = b.Chips,
                HardwareErrors = b.HardwareErrors,
                Status = b.Status,
            })],
            Fans = [.. snapshot.Fans.Select(f => new TelemetryFan(f.Index, f.Rpm, f.DutyPercent))],
            Pools = [.. snapshot.Pools.Select(p => new TelemetryPool
            {
                Index = p.Index,
                Url = TelemetryPool.SanitizeUrl(p.Url),
                User = p.User,
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
            Warnings = snapshot.Warnings,
        };
    }
}
