namespace CloudMining.Farm.Simulator.Personalities;

/// <summary>All firmware personalities by name (the names of the firmware profiles).</summary>
public static class PersonalityCatalog
{
    private static readonly Dictionary<string, FirmwarePersonality> ByName = new(StringComparer.OrdinalIgnoreCase);

    static PersonalityCatalog()
    {
        foreach (FirmwarePersonality p in new FirmwarePersonality[]
                 {
                     new AntminerPersonality(),
                     new BraiinsOsPersonality(),
                     new WhatsminerPersonality(),
                     new WhatsminerV3Personality(),
                     new AvalonPersonality(),
                     new LuxOsPersonality(),
                     new VnishPersonality(),
                     new GenericCgminerPersonality(),
                 })
        {
            ByName[p.Name] = p;
        }
    }

    public static IReadOnlyCollection<string> Names => ByName.Keys;

    public static FirmwarePersonality Get(string name) =>
        ByName.TryGetValue(name, out FirmwarePersonality? p)
            ? p
            : throw new ArgumentException($"Unknown firmware '{name}'; known: {string.Join(", ", ByName.Keys)}.", nameof(name));
}
