namespace CloudMining.Farm.Simulator.Mining;

/// <summary>Hardware identity a simulated miner reports where its firmware gives it: MAC, serial/miner id, per-board serials.</summary>
public sealed record MinerIdentityInfo(string Mac, string Serial, IReadOnlyList<string> BoardSerials, string FirmwareVersion);
