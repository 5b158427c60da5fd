namespace CloudMining.Farm.Simulator.Mining;

/// <summary>How a miner spreads hashrate over its pools (cgminer's --failover-only vs --load-balance).</summary>
public enum PoolStrategy
{
    /// <summary>All hashrate to the highest-priority enabled pool that is alive.</summary>
    Failover,

    /// <summary>Hashrate split by quota among enabled, alive pools.</summary>
    LoadBalance,
}
