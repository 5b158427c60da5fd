namespace CloudMining.Farm.Controller.Proof;

/// <summary>Accepted difficulty a contract's pool account gained between two readings, for the ledger.</summary>
public sealed record DeliveryCredit(string ContractId, DateTimeOffset From, DateTimeOffset To, double Difficulty);
