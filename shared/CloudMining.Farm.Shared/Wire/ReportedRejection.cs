namespace CloudMining.Farm.Shared.Wire;

/// <summary>A desired pool state the agent refused to apply (it changed nothing), with the reason naming the miner and field; no generation when the payload could not be read at all.</summary>
public sealed record ReportedRejection(long? Generation, string Reason);
