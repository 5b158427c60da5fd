namespace CloudMining.Farm.Agent.Power;

/// <summary>An outlet switched off on purpose (not in a cycle): it stays off across agent restarts until something switches it on.</summary>
public sealed record KeptOffOutlet(string Outlet, string Miner, DateTimeOffset Since, string Reason);
