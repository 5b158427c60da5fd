namespace CloudMining.Farm.Simulator.Mining;

/// <summary>Hardware identity a simulated miner reports where its firmware gives it: MAC, serial/miner id, per-board serials.</summary>
public sealed record MinerIdentityInfo(string Mac, string Serial, IReadOnlyList<string> BoardSerials, string FirmwareVersion)
{
    /// <summary>The control board's chip id (stock Antminer's stats miner_id): not the unit's serial.</summary>
    public string ControlBoardId { get; init; } = string.Empty;
}
