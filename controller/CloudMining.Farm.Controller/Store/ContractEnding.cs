namespace CloudMining.Farm.Controller.Store;

/// <summary>When and why a contract stopped: "ended by operator", "term over", "negative margin for 3 days".</summary>
public sealed record ContractEnding(DateTimeOffset EndedAt, string Reason);
