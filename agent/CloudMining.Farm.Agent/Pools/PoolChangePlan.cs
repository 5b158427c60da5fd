namespace CloudMining.Farm.Agent.Pools;

/// <summary>The actions that bring a miner's pools to the desired ones, or why its firmware profile cannot do it.</summary>
public sealed record PoolChangePlan(IReadOnlyList<PoolStep> Steps, string? Problem)
{
    public bool IsPossible => Problem is null;
}
