namespace CloudMining.Farm.Controller.Contracts;

/// <summary>The operator's own pool account, which receives every hashrate no contract has bought.</summary>
/// <param name="Pool">The operator's pool endpoint and worker.</param>
public sealed record HousePool(PoolAccount Pool)
{
    /// <summary>The assignee id used for the house pool in allocations; contract ids may not take it.</summary>
    public const string AssigneeId = "house";
}
