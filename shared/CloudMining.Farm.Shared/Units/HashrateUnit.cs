namespace CloudMining.Farm.Shared.Units;

/// <summary>Decimal SI multiples of hashes per second, as firmwares and pools print them.</summary>
public enum HashrateUnit
{
    H = 0,
    KH = 1,
    MH = 2,
    GH = 3,
    TH = 4,
    PH = 5,
    EH = 6,
}
