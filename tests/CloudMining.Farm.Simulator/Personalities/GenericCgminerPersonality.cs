using CloudMining.Farm.Simulator.Mining;
using CloudMining.Farm.Simulator.Wire;

namespace CloudMining.Farm.Simulator.Personalities;

/// <summary>Upstream cgminer 4.11.1 driving ASC devices: summary and devs in MH/s, one ASC per hash board, cgminer 4.x pools.</summary>
public sealed class GenericCgminerPersonality : FirmwarePersonality
{
    private static readonly IReadOnlyList<MinerModel> Catalog =
    [
        new("Generic SHA256 ASIC", 100, 3, 100, 2, 6000, 3000, 500),
    ];

    public override string Name => "generic-cgminer";

    public override IReadOnlyList<MinerModel> Models => Catalog;

    public override IReadOnlyList<string> ReadCommands { get; } = ["version", "summary", "devs", "pools"];

    public override string Description(MinerView view) => "cgminer 4.11.1";

    public override string FirmwareVersion(MinerModel model) => "4.11.1";

    public override ApiReply? Read(string command, string? parameter, MinerView view) => command switch
    {
        "version" => Ok(view, CgminerCodes.Version, "CGMiner versions",
            Section("VERSION", true, new ApiObject(2).Add("CGMiner", "4.11.1").Add("API", "3.7"))),
        "summary" => Ok(view, CgminerCodes.Summary, "Summary",
            Section("SUMMARY", true, CgminerReplies.SummaryTail(CgminerReplies.Summary(view), view))),
        "devs" => Devs(view),
        "pools" => Ok(view, CgminerCodes.Pool, $"{view.Pools.Count} Pool(s)", Section("POOLS", false, CgminerReplies.Pools(view, hasVmask: false))),
        _ => null,
    };

    private ApiReply Devs(MinerView v)
    {
        var objects = new List<ApiObject>();
        foreach (BoardView b in v.Boards)
        {
            double av = b.HashAverage / 1e6;
            double diff1 = b.TotalHashes / 4294967296.0;
            objects.Add(new ApiObject(28)
                .Add("ASC", b.Index)
                .Add("Name", "ASC")
                .Add("ID", b.Index)
                .Add("Enabled", "Y")
                .Add("Status", b.Alive ? "Alive" : "Dead")
                .Add("Temperature", F(b.ChipTemp, 2))
                .Add("MHS av", F(av, 2))
                .Add("MHS 5s", F(b.Hash5s / 1e6, 2))
                .Add("MHS 1m", F(CgminerReplies.Window(v, av, 60), 2))
                .Add("MHS 5m", F(CgminerReplies.Window(v, av, 300), 2))
                .Add("MHS 15m", F(CgminerReplies.Window(v, av, 900), 2))
                .Add("Accepted", v.Accepted / Math.Max(1, v.AliveBoards))
                .Add("Rejected", v.Rejected / Math.Max(1, v.AliveBoards))
                .Add("Hardware Errors", b.HardwareErrors)
                .Add("Utility", F(0, 2))
                .Add("Last Share Pool", 0)
                .Add("Last Share Time", v.Pools.Select(p => p.LastShareAt?.ToUnixTimeSeconds() ?? 0).DefaultIfEmpty(0).Max())
                .Add("Total MH", F(b.TotalHashes / 1e6, 4))
                .Add("Diff1 Work", (long)diff1)
                .Add("Difficulty Accepted", F(v.DifficultyAccepted / Math.Max(1, v.AliveBoards), 8))
                .Add("Difficulty Rejected", F(v.DifficultyRejected / Math.Max(1, v.AliveBoards), 8))
                .Add("Last Share Difficulty", F(v.Pools.Select(p => p.LastShareDifficulty).DefaultIfEmpty(0).Max(), 8))
                .Add("No Device", !b.Alive)
                .Add("Last Valid Work", v.When)
                .Add("Device Hardware%", F(CgminerReplies.Pct(b.HardwareErrors, b.HardwareErrors + diff1), 4))
                .Add("Device Rejected%", F(0, 4))
                .Add("Device Elapsed", v.Elapsed));
        }

        return Ok(v, CgminerCodes.Devs, $"{objects.Count} ASC(s)", Section("DEVS", false, objects));
    }
}
