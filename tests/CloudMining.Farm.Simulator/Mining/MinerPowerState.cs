namespace CloudMining.Farm.Simulator.Mining;

/// <summary>Power state of a simulated miner: off (nothing listens), booting (refuses), running (answers).</summary>
public enum MinerPowerState
{
    Off,
    Booting,
    Running,
}
