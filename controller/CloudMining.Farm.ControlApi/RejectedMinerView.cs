namespace CloudMining.Farm.ControlApi;

/// <summary>A miner whose desired pool entry its rack's agent rejected (it keeps its old pools), with the agent's reason.</summary>
public sealed record RejectedMinerView(string MinerId, string Reason);
