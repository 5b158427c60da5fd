namespace CloudMining.Farm.Bench.AgentProcess;

/// <summary>What status.json said after one poll cycle: its number, wall time and how many miners answered.</summary>
internal readonly record struct CycleMark(long Cycle, double CycleSeconds, int Answering, int Total);
