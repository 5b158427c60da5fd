using CloudMining.Farm.Shared.MinerApi;
using CloudMining.Farm.Shared.Snapshots;

namespace CloudMining.Farm.Agent.Cli;

/// <summary>What `farm-agent decode --json` prints: the profile used and the snapshot (hashrates in H/s), or the typed error.</summary>
internal sealed record DecodeReport
{
    public required string Profile { get; init; }

    public bool Detected { get; init; }

    public required IReadOnlyList<string> Files { get; init; }

    public DecodedSnapshot? Snapshot { get; init; }

    public DecodeErrorView? Error { get; init; }

    public static DecodeReport From(string profile, bool detected, IReadOnlyList<string> files, MinerReadResult result) => new()
    {
        Profile = profile,
        Detected = detected,
        Files = files,
        Snapshot = result.IsSuccess ? DecodedSnapshot.From(result.Snapshot) : null,
        Error = result.IsSuccess ? null : DecodeErrorView.From(result.Error),
    };
}

/// <summary>A snapshot flattened for JSON: numbers in H/s, °C, W and seconds.</summary>
internal sealed record DecodedSnapshot
{
    public required MinerIdentity Identity { get; init; }

    public DateTimeOffset? Timestamp { get; init; }

    public double? Hashrate5sHs { get; init; }

    public double? HashrateAverageHs { get; init; }

    public double? HashrateNominalHs { get; init; }

    public double? PowerW { get; init; }

    public double? UptimeSeconds { get; init; }

    public long? HardwareErrors { get; init; }

    public double? MaxChipTemperatureC { get; init; }

    public required IReadOnlyList<DecodedBoard> Boards { get; init; }

    public required IReadOnlyList<FanReading> Fans { get; init; }

    public required IReadOnlyList<PoolReading> Pools { get; init; }

    public required IReadOnlyList<string> Warnings { get; init; }

    public static DecodedSnapshot From(MinerSnapshot s) => new()
    {
        Identity = s.Identity,
        Timestamp = s.Timestamp,
        Hashrate5sHs = s.Hashrate5s?.HashesPerSecond,
        HashrateAverageHs = s.HashrateAverage?.HashesPerSecond,
        HashrateNominalHs = s.HashrateNominal?.HashesPerSecond,
        PowerW = s.Power?.Watts,
        UptimeSeconds = s.Uptime?.TotalSeconds,
        HardwareErrors = s.HardwareErrors,
        MaxChipTemperatureC = s.MaxChipTemperature?.Celsius,
        Boards = [.. s.Boards.Select(b => new DecodedBoard(b.Index, b.Hashrate?.HashesPerSecond, b.ChipTemperature?.Celsius, b.BoardTemperature?.Celsius, b.Chips, b.HardwareErrors, b.Status))],
        Fans = s.Fans,
        Pools = s.Pools,
        Warnings = s.Warnings,
    };
}

/// <summary>One board for JSON.</summary>
internal sealed record DecodedBoard(int Index, double? HashrateHs, double? ChipTemperatureC, double? BoardTemperatureC, int? Chips, long? HardwareErrors, string? Status);

/// <summary>A typed error for JSON.</summary>
internal sealed record DecodeErrorView(string Kind, string Message, string? Command, long? Position, string? Excerpt, int? StatusCode)
{
    public static DecodeErrorView From(MinerApiError e) => new(e.Kind.ToString(), e.Message, e.Command, e.Position, e.Excerpt, e.StatusCode);
}
