using System.Net;

namespace CloudMining.Farm.Simulator.Cli;

/// <summary>What the command line asked for, or the problem with it.</summary>
internal sealed record SimSettings(FarmOptions Farm, IPEndPoint? Control, string? ManifestPath, string? Problem = null);
