namespace CloudMining.Farm.Simulator.Control;

/// <summary>What --manifest writes: every miner with its address, firmware and identity, and the control API address, for the agent's demo config.</summary>
public sealed record FarmManifest(string? ControlUrl, IReadOnlyList<MinerInfo> Miners);
