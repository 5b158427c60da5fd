namespace CloudMining.Farm.Controller.PoolSide;

/// <summary>
/// What a pool says about one worker at <paramref name="ReadAt"/>: its hashrate averaged over <paramref name="Window"/>
/// (H/s, whatever unit the pool used), and the shares it counted in that window where the pool reports them.
/// </summary>
public sealed record PoolWorkerReading(string Worker, double HashrateHs, TimeSpan Window, double? Shares, DateTimeOffset ReadAt);
