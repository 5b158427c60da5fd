namespace CloudMining.Farm.Simulator.Mining;

/// <summary>Hardware facts of a simulated model: nominal hashrate, boards, chips, fans, power.</summary>
/// <param name="Name">Model as the firmware names it ("Antminer S19 Pro", "M20S", "15-194").</param>
/// <param name="NominalTerahash">Stock hashrate in TH/s.</param>
/// <param name="Boards">Hash boards (chains).</param>
/// <param name="ChipsPerBoard">ASIC chips per board.</param>
/// <param name="Fans">Fans reported.</param>
/// <param name="MaxFanRpm">RPM at 100 % duty.</param>
/// <param name="PowerWatts">Wall power at nominal hashrate.</param>
/// <param name="FrequencyMhz">Chip frequency reported.</param>
/// <param name="Layout">Antminer stats generation, or None.</param>
/// <param name="FirstChainIndex">Index of the first chain in the firmware's numbering (S9 bmminer counts chains 6, 7, 8).</param>
public sealed record MinerModel(
    string Name,
    double NominalTerahash,
    int Boards,
    int ChipsPerBoard,
    int Fans,
    int MaxFanRpm,
    double PowerWatts,
    int FrequencyMhz,
    StatsLayout Layout = StatsLayout.None,
    int FirstChainIndex = 1)
{
    public double NominalHashesPerSecond => NominalTerahash * 1e12;
}
