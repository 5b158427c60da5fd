using System.Text;
using BenchmarkDotNet.Attributes;
using CloudMining.Farm.Shared.Firmware;
using CloudMining.Farm.Shared.MinerApi;

namespace CloudMining.Farm.Bench;

/// <summary>
/// Parse + decode throughput from real captured replies: per firmware family (every reply one miner sent), and
/// "summary+pools+devs", one multi-command reply assembled from one miner's pieces. One op = one miner read.
/// </summary>
[MemoryDiagnoser]
public class DecodeBenchmarks
{
    /// <summary>Fixture folder per family; each benchmark op parses and decodes every reply of that miner.</summary>
    private static readonly Dictionary<string, (string Folder, string Profile)> Families = new()
    {
        ["antminer"] = ("antminer/antminer-s19-really-cold", "antminer"),
        ["braiins-os"] = ("antminer/antminer-s9-bos", "braiins-os"),
        ["whatsminer"] = ("whatsminer/whatsminer-m20s-new-firmware", "whatsminer"),
        ["avalon"] = ("avalon/avalon-15-194-pyasic", "avalon"),
        ["generic-repaired"] = ("strongu/strongu-stu-2", "generic-cgminer"),
    };

    private (string Command, byte[] Bytes)[] _replies = [];
    private FirmwareProfile _profile = null!;
    private byte[] _multi = [];
    private FirmwareProfile _generic = null!;

    public const string Multi = "summary+pools+devs";

    [Params(Multi, "antminer", "braiins-os", "whatsminer", "avalon", "generic-repaired")]
    public string Family { get; set; } = "antminer";

    [GlobalSetup]
    public void Setup()
    {
        string root = FindRoot();
        string fixtures = Environment.GetEnvironmentVariable("FARM_FIXTURES") is { Length: > 0 } f ? f : Path.GetFullPath(Path.Combine(root, "..", "shared", "fixtures", "miner-api"));
        var catalog = FirmwareProfileCatalog.Load(Path.Combine(root, "firmware-profiles"));
        if (Families.TryGetValue(Family, out var family))
        {
            _profile = catalog.Get(family.Profile);
            _replies = [.. Directory.EnumerateFiles(Path.Combine(fixtures, family.Folder)).Order(StringComparer.Ordinal)
                .Select(file => (Path.GetFileNameWithoutExtension(file), File.ReadAllBytes(file)))];
        }

        // One summary+pools+devs reply as cgminer assembles it, from the pieces one real miner (iBeLink N1 Max) sent.
        _generic = catalog.Get(FirmwareProfileCatalog.FallbackProfile);
        string Piece(string command) => File.ReadAllText(Path.Combine(fixtures, "ibelink/n1max", command + ".json")).TrimEnd('\0', '\n', ' ');
        _multi = Encoding.UTF8.GetBytes($"{{\"summary\":[{Piece("summary")}],\"pools\":[{Piece("pools")}],\"devs\":[{Piece("devs")}],\"id\":1}}");

        if (!SnapshotDecoder.Decode(_generic, ReplyParser.Parse(_multi, "summary+pools+devs").Results).IsSuccess)
        {
            throw new InvalidOperationException("The multi-command benchmark reply does not decode; check the fixtures.");
        }
    }

    /// <summary>One miner read: parse (with repair where the bytes need it), split and decode.</summary>
    [Benchmark]
    public bool Decode() => Family == Multi ? SummaryPoolsDevs() : FamilyMiner();

    private bool FamilyMiner()
    {
        var sets = new ApiReplySet[_replies.Length];
        var results = new List<ApiReplyResult>(_replies.Length);
        for (int i = 0; i < _replies.Length; i++)
        {
            sets[i] = ReplyParser.Parse(_replies[i].Bytes, _replies[i].Command);
            results.AddRange(sets[i].Results);
        }

        bool ok = SnapshotDecoder.Decode(_profile, results).IsSuccess;
        foreach (ApiReplySet set in sets)
        {
            set.Dispose();
        }

        return ok;
    }

    private bool SummaryPoolsDevs()
    {
        using ApiReplySet set = ReplyParser.Parse(_multi, "summary+pools+devs");
        return SnapshotDecoder.Decode(_generic, set.Results).IsSuccess;
    }

    private static string FindRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "CloudMining.Farm.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No CloudMining.Farm.sln above {AppContext.BaseDirectory}; run the benchmarks from inside the checkout.");
    }
}
