namespace CloudMining.Farm.Controller.PoolSide;

/// <summary>The pool's own figure for a contract's worker in one UTC hour: TH·h over the <paramref name="ObservedSeconds"/> the readings covered.</summary>
public sealed record PoolSideHour(string ContractId, DateTimeOffset Hour, double PoolTerahashHours, double ObservedSeconds);
