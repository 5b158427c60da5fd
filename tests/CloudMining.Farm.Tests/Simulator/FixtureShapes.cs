using System.Text.Json;
using CloudMining.Farm.Tests.Infrastructure;

namespace CloudMining.Farm.Tests.Simulator;

/// <summary>Reads section/key shapes out of captured replies (tolerating the firmwares' "}{" and "\'" quirks) and out of simulator replies.</summary>
public static class FixtureShapes
{
    public static string FixturePath(string folder, string command) =>
        Path.Combine(RepoPaths.MinerApiFixtures, folder, command + ".json");

    public static JsonDocument Parse(string text)
    {
        string cleaned = text.TrimEnd('\0', ' ', '\n', '\r')
            .Replace("}{", "},{", StringComparison.Ordinal)
            .Replace("\\'", "'", StringComparison.Ordinal);
        return JsonDocument.Parse(cleaned, new JsonDocumentOptions { AllowTrailingCommas = true });
    }

    public static JsonDocument Fixture(string folder, string command) => Parse(File.ReadAllText(FixturePath(folder, command)));

    /// <summary>Key set of object <paramref name="index"/> of the named section.</summary>
    public static SortedSet<string> Keys(JsonDocument doc, string section, int index = 0)
    {
        JsonElement obj = doc.RootElement.GetProperty(section)[index];
        return new SortedSet<string>(obj.EnumerateObject().Select(p => p.Name), StringComparer.Ordinal);
    }

    public static SortedSet<string> Sections(JsonDocument doc) =>
        new(doc.RootElement.EnumerateObject().Select(p => p.Name), StringComparer.Ordinal);

    /// <summary>A readable difference for assertion messages.</summary>
    public static string Diff(SortedSet<string> expected, SortedSet<string> actual) =>
        $"missing: [{string.Join(", ", expected.Except(actual))}]; extra: [{string.Join(", ", actual.Except(expected))}]";
}
