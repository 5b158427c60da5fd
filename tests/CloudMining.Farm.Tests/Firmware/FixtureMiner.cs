using CloudMining.Farm.Agent.Cli;
using CloudMining.Farm.Shared.Firmware;
using CloudMining.Farm.Shared.MinerApi;
using CloudMining.Farm.Tests.Infrastructure;

namespace CloudMining.Farm.Tests.Firmware;

/// <summary>Loads the captured replies of one fixture miner (read in place, never copied) and decodes them like `farm-agent decode`.</summary>
public static class FixtureMiner
{
    private static readonly Lazy<FirmwareProfileCatalog> CatalogLazy = new(() => FirmwareProfileCatalog.Load(RepoPaths.FirmwareProfiles));

    public static FirmwareProfileCatalog Catalog => CatalogLazy.Value;

    /// <summary>Every miner folder (family/miner) of the fixtures, or none when they are absent.</summary>
    public static IEnumerable<string> Folders() =>
        RepoPaths.HasMinerApiFixtures
            ? Directory.EnumerateDirectories(RepoPaths.MinerApiFixtures)
                .SelectMany(Directory.EnumerateDirectories)
                .Select(d => Path.GetRelativePath(RepoPaths.MinerApiFixtures, d).Replace('\\', '/'))
                .Order(StringComparer.Ordinal)
            : [];

    public static string PathOf(string folder, string file) => Path.Combine(RepoPaths.MinerApiFixtures, folder, file);

    public static byte[] Bytes(string folder, string file) => File.ReadAllBytes(PathOf(folder, file));

    /// <summary>Parses every file of the folder; the caller disposes the sets after decoding.</summary>
    public static List<ApiReplySet> Parse(string folder)
    {
        var sets = new List<ApiReplySet>();
        foreach (string file in Directory.EnumerateFiles(Path.Combine(RepoPaths.MinerApiFixtures, folder)).Order(StringComparer.Ordinal))
        {
            sets.Add(ReplyParser.Parse(File.ReadAllBytes(file), DecodeCommand.CommandFromFileName(file)));
        }

        return sets;
    }

    /// <summary>Detects the profile (or uses the named one) and decodes the folder's replies.</summary>
    public static (FirmwareProfile Profile, MinerReadResult Result) Decode(string folder, string profile = FirmwareProfileCatalog.Auto)
    {
        List<ApiReplySet> sets = Parse(folder);
        try
        {
            ApiReplyResult[] results = [.. sets.SelectMany(s => s.Results)];
            FirmwareProfile chosen = profile == FirmwareProfileCatalog.Auto ? new FirmwareDetector(Catalog).Detect(results) : Catalog.Get(profile);
            return (chosen, SnapshotDecoder.Decode(chosen, results));
        }
        finally
        {
            sets.ForEach(s => s.Dispose());
        }
    }
}
