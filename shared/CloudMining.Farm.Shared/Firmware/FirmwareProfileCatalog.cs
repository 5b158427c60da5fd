using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace CloudMining.Farm.Shared.Firmware;

/// <summary>The firmware profiles of one directory, each validated and compiled once at load.</summary>
public sealed class FirmwareProfileCatalog
{
    /// <summary>The profile used when nothing more specific matches.</summary>
    public const string FallbackProfile = "generic-cgminer";

    /// <summary>The profile name that asks for detection.</summary>
    public const string Auto = "auto";

    private readonly Dictionary<string, FirmwareProfile> _byName;

    private FirmwareProfileCatalog(string directory, IEnumerable<FirmwareProfile> profiles)
    {
        Directory = directory;
        _byName = profiles.ToDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase);
        Profiles = [.. _byName.Values.OrderByDescending(p => p.DetectPriority).ThenBy(p => p.Name, StringComparer.Ordinal)];
    }

    public string Directory { get; }

    /// <summary>Every profile, highest detection priority first.</summary>
    public IReadOnlyList<FirmwareProfile> Profiles { get; }

    public FirmwareProfile Fallback => _byName[FallbackProfile];

    /// <summary>Loads every *.yaml of <paramref name="directory"/>; the first invalid file stops the load with a <see cref="FirmwareProfileException"/>.</summary>
    public static FirmwareProfileCatalog Load(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        if (!System.IO.Directory.Exists(directory))
        {
            throw new FirmwareProfileException(directory, "(directory)", "does not exist; point --profiles or FARM_PROFILES at the firmware-profiles folder.");
        }

        var profiles = new List<FirmwareProfile>();
        foreach (string file in System.IO.Directory.EnumerateFiles(directory, "*.yaml").OrderBy(f => f, StringComparer.Ordinal))
        {
            profiles.Add(LoadFile(file));
        }

        var duplicate = profiles.GroupBy(p => p.Name, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new FirmwareProfileException(duplicate.Last().SourceFile, "name", $"'{duplicate.Key}' is used by two files; profile names must be unique.");
        }

        if (!profiles.Any(p => string.Equals(p.Name, FallbackProfile, StringComparison.OrdinalIgnoreCase)))
        {
            throw new FirmwareProfileException(Path.Combine(directory, FallbackProfile + ".yaml"), "(file)", "missing; the catalog needs it as the fallback for firmwares no other profile detects.");
        }

        return new FirmwareProfileCatalog(directory, profiles);
    }

    /// <summary>Reads and compiles one profile file.</summary>
    public static FirmwareProfile LoadFile(string file)
    {
        string text;
        try
        {
            text = File.ReadAllText(file);
        }
        catch (IOException ex)
        {
            throw new FirmwareProfileException(file, "(file)", "cannot be read: " + ex.Message);
        }

        return Parse(text, file);
    }

    /// <summary>Compiles a profile from YAML text; <paramref name="file"/> names it in errors and must match its 'name'.</summary>
    public static FirmwareProfile Parse(string yaml, string file)
    {
        IDeserializer deserializer = new DeserializerBuilder()
            .WithNamingConvention(CamelCaseNamingConvention.Instance)
            .WithTypeConverter(new FieldDocYamlConverter())
            .Build();
        ProfileDocument? doc;
        try
        {
            doc = deserializer.Deserialize<ProfileDocument>(yaml);
        }
        catch (YamlException ex)
        {
            string message = ex.InnerException?.Message ?? ex.Message;
            throw new FirmwareProfileException(file, $"line {ex.Start.Line}, column {ex.Start.Column}", $"{message} Fix the YAML there (see docs/firmware-profiles.md for the keys).");
        }

        if (doc is null)
        {
            throw new FirmwareProfileException(file, "(file)", "is empty; write a profile (see docs/firmware-profiles.md).");
        }

        return ProfileCompiler.Compile(doc, file);
    }

    public bool TryGet(string name, out FirmwareProfile profile) => _byName.TryGetValue(name, out profile!);

    /// <summary>The named profile, or an error listing the ones that exist.</summary>
    public FirmwareProfile Get(string name) =>
        TryGet(name, out FirmwareProfile profile)
            ? profile
            : throw new KeyNotFoundException($"No firmware profile '{name}' in {Directory}; known: {string.Join(", ", _byName.Keys.Order(StringComparer.Ordinal))}.");
}
