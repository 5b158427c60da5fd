namespace CloudMining.Farm.Tests.Deploy;

/// <summary>A systemd unit file read the way systemd reads it: sections of "Key=value" lines, a key may repeat.</summary>
public sealed class SystemdUnitFile
{
    private readonly Dictionary<string, List<string>> _entries = new(StringComparer.Ordinal);

    private SystemdUnitFile(string path)
    {
        Path = path;
    }

    public string Path { get; }

    public static SystemdUnitFile Load(string path)
    {
        var unit = new SystemdUnitFile(path);
        string section = "";
        foreach (string raw in File.ReadAllLines(path))
        {
            string line = raw.Trim();
            if (line.Length == 0 || line[0] is '#' or ';')
            {
                continue;
            }

            if (line[0] == '[' && line[^1] == ']')
            {
                section = line[1..^1];
                continue;
            }

            int eq = line.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw new FormatException($"{path}: '{line}' is neither a section nor Key=value");
            }

            string key = section + "." + line[..eq].Trim();
            if (!unit._entries.TryGetValue(key, out List<string>? values))
            {
                unit._entries[key] = values = [];
            }

            values.Add(line[(eq + 1)..].Trim());
        }

        return unit;
    }

    /// <summary>The last value of Section.Key (systemd's rule for single-valued keys), or null when absent.</summary>
    public string? this[string sectionKey] => _entries.TryGetValue(sectionKey, out List<string>? v) ? v[^1] : null;

    public IReadOnlyList<string> All(string sectionKey) => _entries.TryGetValue(sectionKey, out List<string>? v) ? v : [];
}
