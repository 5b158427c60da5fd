namespace CloudMining.Farm.Influx.Write;

/// <summary>Counters of a <see cref="WriteApi"/>: what was acknowledged, refused, spilled and (only when even the spill bound is hit) dropped.</summary>
public sealed record WriteApiStatistics(
    long PointsWritten,
    long PointsAcknowledged,
    long PointsRejected,
    long PointsSpilled,
    long PointsDropped,
    long BatchesAcknowledged,
    int PointsInMemory,
    int SpillFiles);
