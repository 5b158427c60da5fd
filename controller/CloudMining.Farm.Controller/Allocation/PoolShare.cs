namespace CloudMining.Farm.Controller.Allocation;

/// <summary>Part of one miner pointed at one assignee (a contract id, or <c>house</c>): a whole miner has a single share of 1.</summary>
/// <param name="Assignee">Contract id, or <see cref="Contracts.HousePool.AssigneeId"/>.</param>
/// <param name="Fraction">Share of the miner's hashrate, (0, 1]; becomes a pool quota on the miner.</param>
public readonly record struct PoolShare(string Assignee, double Fraction)
{
    public override string ToString() => $"{Assignee} {Fraction * 100:0.#}%";
}
