using CloudMining.Farm.Shared.Wire;

namespace CloudMining.Farm.Controller.Ingest;

/// <summary>The latest that is known about one miner, from its telemetry and state messages.</summary>
public sealed record MinerLiveState
{
    public required string Site { get; init; }

    public required string Rack { get; init; }

    public required string MinerId { get; init; }

    public string? Profile { get; init; }

    public string? Model { get; init; }

    public double? Hashrate5sHs { get; init; }

    public double? HashrateAverageHs { get; init; }

    /// <summary>The nameplate hashrate the firmware reports, which bounds what the miner may plausibly measure.</summary>
    public double? HashrateNominalHs { get; init; }

    public double? MaxChipTempC { get; init; }

    public double? PowerW { get; init; }

    /// <summary>The miner's last reported state; null until a state message arrived.</summary>
    public MinerState? State { get; init; }

    /// <summary>The serial number the miner's firmware reports (from its state messages); null when it gives none or none was heard yet.</summary>
    public string? Serial { get; init; }

    /// <summary>
    /// When the latest telemetry was taken: its ts (the agent's clock), or when the controller received it if that ts was
    /// more than <see cref="FleetState.ClockTolerance"/> ahead of the controller's clock (<see cref="FleetState.Dated"/>).
    /// </summary>
    public DateTimeOffset? TelemetryAt { get; init; }

    /// <summary>When the controller received the latest telemetry (its own clock; <see cref="TelemetryAt"/> is the agent's).</summary>
    public DateTimeOffset? ReceivedAt { get; init; }

    /// <summary>
    /// The latest telemetry's ts as sent minus <see cref="ReceivedAt"/>: positive when the rack's clock is ahead of the
    /// controller's; negative by the delivery delay, or by how far the rack's clock is behind.
    /// </summary>
    public TimeSpan? ClockOffset { get; init; }

    /// <summary>The pools of the latest telemetry, with their accepted-difficulty counters (proof of delivery reads them).</summary>
    public IReadOnlyList<TelemetryPool> Pools { get; init; } = [];

    /// <summary>A miner counts as OK when it hashes and its last state (if any) is "hashing".</summary>
    public bool IsOk => (State is null or MinerState.Hashing) && (Hashrate5sHs ?? HashrateAverageHs ?? 0) > 0;
}
