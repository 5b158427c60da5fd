namespace CloudMining.Farm.Controller.Proof;

/// <summary>Accepted difficulty a contract's pool account gained between two readings, for the ledger; <paramref name="MinerId"/> is the miner that did it.</summary>
public sealed record DeliveryCredit(string ContractId, DateTimeOffset From, DateTimeOffset To, double Difficulty, string? MinerId = null);
