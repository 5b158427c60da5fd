namespace CloudMining.Farm.Simulator.Control;

/// <summary>Body of POST /pools/difficulty: {"url":"stratum+tcp://pool:3333","difficulty":131072} (null difficulty: back to the miners' default).</summary>
public sealed record PoolDifficultyRequest(string? Url, double? Difficulty);
