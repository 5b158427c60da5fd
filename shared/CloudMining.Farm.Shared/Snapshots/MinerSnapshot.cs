using CloudMining.Farm.Shared.Units;

namespace CloudMining.Farm.Shared.Snapshots;

/// <summary>One normalized reading of one miner, whatever firmware produced it.</summary>
public sealed record MinerSnapshot
{
    public required MinerIdentity Identity { get; init; }

    /// <summary>When the miner says it answered (STATUS When), or when it was read.</summary>
    public DateTimeOffset? Timestamp { get; init; }

    public Hashrate? Hashrate5s { get; init; }

    public Hashrate? HashrateAverage { get; init; }

    /// <summary>The rate the firmware expects from its boards at the current frequency, where it says so.</summary>
    public Hashrate? HashrateNominal { get; init; }

    public IReadOnlyList<BoardReading> Boards { get; init; } = [];

    public IReadOnlyList<FanReading> Fans { get; init; } = [];

    public Power? Power { get; init; }

    public IReadOnlyList<PoolReading> Pools { get; init; } = [];

    public TimeSpan? Uptime { get; init; }

    public long? HardwareErrors { get; init; }

    /// <summary>Parts of the replies that were present but could not be read; the rest of the snapshot stands.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>The hottest chip over all boards; null when no board reports chip temperatures.</summary>
    public Temperature? MaxChipTemperature => Boards.Select(b => b.ChipTemperature).Max();

    public PoolReading? ActivePool =>
        Pools.FirstOrDefault(p => p.Active == true)
        ?? Pools.Where(p => string.Equals(p.Status, "Alive", StringComparison.OrdinalIgnoreCase)).OrderBy(p => p.Priority ?? p.Index).FirstOrDefault();
}
