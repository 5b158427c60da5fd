namespace CloudMining.Farm.Agent.Scan;

/// <summary>What `farm-agent scan --json` prints.</summary>
public sealed record ScanReport(string Range, int Port, long Scanned, double Seconds, IReadOnlyList<ScanHit> Miners);
