namespace CloudMining.Farm.Simulator.Faults;

/// <summary>A fault to inject: its kind and the parameter that kind uses.</summary>
/// <param name="Kind">What goes wrong.</param>
/// <param name="DelayMs">Reply delay for Slow.</param>
/// <param name="Percent">Remaining hashrate for HashrateDrop (0..100).</param>
/// <param name="Board">0-based board for BoardLost.</param>
public sealed record MinerFault(FaultKind Kind, int DelayMs = 0, double Percent = 100, int Board = 0)
{
    /// <summary>True for faults that change what happens on the wire rather than what the hardware does.</summary>
    public bool IsNetwork => Kind is FaultKind.Hang or FaultKind.Refuse or FaultKind.Slow or FaultKind.Garbage or FaultKind.Truncated;

    public static MinerFault Hang() => new(FaultKind.Hang);

    public static MinerFault Refuse() => new(FaultKind.Refuse);

    public static MinerFault Slow(int delayMs) => new(FaultKind.Slow, DelayMs: delayMs);

    public static MinerFault Garbage() => new(FaultKind.Garbage);

    public static MinerFault Truncated() => new(FaultKind.Truncated);

    public static MinerFault BoardLost(int board) => new(FaultKind.BoardLost, Board: board);

    public static MinerFault HashrateDrop(double percent) => new(FaultKind.HashrateDrop, Percent: percent);
}
