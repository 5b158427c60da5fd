namespace CloudMining.Farm.Simulator.Mining;

/// <summary>One hash board at the moment of a reply.</summary>
/// <param name="Index">0-based board index.</param>
/// <param name="Alive">False when the board is lost (no chain).</param>
/// <param name="Chips">Chips answering (0 when lost).</param>
/// <param name="Hash5s">Hashrate over the current 5-second window, H/s.</param>
/// <param name="HashAverage">Average since boot, H/s.</param>
/// <param name="NominalHash">The board's ideal hashrate, H/s.</param>
/// <param name="ChipTemp">Hottest chip, °C.</param>
/// <param name="BoardTemp">PCB temperature, °C.</param>
/// <param name="HardwareErrors">Hardware errors since boot.</param>
/// <param name="Serial">Board serial where the firmware reports one.</param>
/// <param name="TotalHashes">Hashes since boot.</param>
public sealed record BoardView(
    int Index,
    bool Alive,
    int Chips,
    double Hash5s,
    double HashAverage,
    double NominalHash,
    double ChipTemp,
    double BoardTemp,
    long HardwareErrors,
    string Serial,
    double TotalHashes);
