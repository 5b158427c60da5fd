namespace CloudMining.Farm.Shared.Wire;

/// <summary>One miner (or quota share of a miner) serving a contract, in <see cref="AllocationPayload.Shares"/>.</summary>
/// <param name="MinerId">The miner.</param>
/// <param name="Rack">Its rack.</param>
/// <param name="Fraction">Share of the miner's hashrate, (0, 1].</param>
public sealed record AllocationShare(string MinerId, string Rack, double Fraction);
