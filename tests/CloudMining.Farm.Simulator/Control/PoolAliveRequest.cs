namespace CloudMining.Farm.Simulator.Control;

/// <summary>Body of POST /pools/alive: {"url":"stratum+tcp://pool:3333","alive":false}.</summary>
public sealed record PoolAliveRequest(string? Url, bool Alive);
