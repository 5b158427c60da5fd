namespace CloudMining.Farm.Simulator.Wire;

/// <summary>How a reply value is written on the wire; firmwares differ in how they print numbers.</summary>
public enum ApiValueKind
{
    Text,
    Whole,
    Fixed,
    Real,
    Flag,
}
