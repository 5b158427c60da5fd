namespace CloudMining.Farm.ControlApi;

/// <summary>One miner's change in a plan: from which assignees to which, and why.</summary>
public sealed record MoveView(string MinerId, string Rack, string From, string To, string Kind, string Reason, bool PoolSwitch);
