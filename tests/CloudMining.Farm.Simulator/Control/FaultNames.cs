using CloudMining.Farm.Simulator.Faults;

namespace CloudMining.Farm.Simulator.Control;

/// <summary>The fault names used on the command line and in the control API ("hang", "board-lost", ...).</summary>
public static class FaultNames
{
    private static readonly Dictionary<string, FaultKind> ByName = new(StringComparer.OrdinalIgnoreCase)
    {
        ["hang"] = FaultKind.Hang,
        ["refuse"] = FaultKind.Refuse,
        ["slow"] = FaultKind.Slow,
        ["garbage"] = FaultKind.Garbage,
        ["truncated"] = FaultKind.Truncated,
        ["board-lost"] = FaultKind.BoardLost,
        ["hashrate-drop"] = FaultKind.HashrateDrop,
    };

    public static IReadOnlyCollection<string> All => ByName.Keys;

    public static string Name(FaultKind kind) => ByName.First(kv => kv.Value == kind).Key;

    public static bool TryParse(string? name, out FaultKind kind) => ByName.TryGetValue(name ?? string.Empty, out kind);
}
