using System.Globalization;
using System.Text;
using CloudMining.Farm.Simulator.Mining;
using CloudMining.Farm.Simulator.Wire;

namespace CloudMining.Farm.Simulator.Personalities;

/// <summary>Stock Bitmain bmminer (S9..S21): hashrates in GH/s, "stats" with chain_rate/temp/fan/chain_acn slots exactly as the antminer fixtures show.</summary>
/// <remarks>Key lists follow fixtures antminer/antminer-s9-bad-temps (S9), antminer/antminer-s17 (S17) and antminer/antminer-s19-really-cold (S19).</remarks>
public partial class AntminerPersonality : FirmwarePersonality
{
    private static readonly IReadOnlyList<MinerModel> Catalog =
    [
        new("Antminer S19 Pro", 110, 3, 114, 4, 6000, 3250, 525, StatsLayout.S19),
        new("Antminer S9", 13.5, 3, 63, 2, 6000, 1350, 650, StatsLayout.S9, FirstChainIndex: 6),
        new("Antminer S17 Pro", 53, 3, 48, 4, 6000, 2094, 570, StatsLayout.S17),
        new("Antminer S19j Pro", 104, 3, 126, 4, 6000, 3068, 525, StatsLayout.S19),
        new("Antminer S21", 200, 3, 108, 4, 6600, 3500, 490, StatsLayout.S19),
    ];

    public override string Name => "antminer";

    /// <inheritdoc />
    public override string UnitSerial(ulong hash) => BitmainSerial(hash);

    public override IReadOnlyList<MinerModel> Models => Catalog;

    /// <summary>Stock firmware's lighttpd; VNish and LuxOS have their own interfaces instead.</summary>
    public override bool ServesBitmainWeb => GetType() == typeof(AntminerPersonality);

    /// <summary>Stock bmminer answers Code 45 "Access denied" to every privileged command; its writes go through the web CGI.</summary>
    public override bool RefusesRpcWrites => GetType() == typeof(AntminerPersonality);

    public override IReadOnlyList<string> ReadCommands { get; } = ["version", "summary", "pools", "stats"];

    public override string Description(MinerView view) =>
        view.Model.Layout == StatsLayout.S9 ? "bmminer 1.0.0" : "cgminer 1.0.0";

    public override string FirmwareVersion(MinerModel model) => model.Layout switch
    {
        StatsLayout.S9 => "16.8.1.3",
        StatsLayout.S17 => "19.10.1.3",
        _ => "49.0.1.3",
    };

    /// <summary>The miner-software word in version/stats ("BMMiner"); VNish and LuxOS change it.</summary>
    protected virtual string MinerSoftwareKey => "BMMiner";

    protected virtual string MinerSoftwareVersion(MinerModel model) => model.Layout == StatsLayout.S9 ? "2.0.0" : "1.0.0";

    protected virtual string CompileTime(MinerModel model) => model.Layout switch
    {
        StatsLayout.S9 => "Fri Nov 17 17:37:49 CST 2017",
        StatsLayout.S17 => "Tue Aug 20 10:37:07 CST 2019",
        _ => "Wed Oct 21 10:18:10 CST 2020",
    };

    protected virtual string TypeText(MinerModel model) => model.Name;

    /// <summary>The word stock firmware puts in its STATUS messages ("BMMiner versions" on S9, "CGMiner versions" on later models).</summary>
    protected virtual string MsgWord(MinerView view) => view.Model.Layout == StatsLayout.S9 ? "BMMiner" : "CGMiner";

    public override ApiReply? Read(string command, string? parameter, MinerView view) => command switch
    {
        "version" => Version(view),
        "summary" => Summary(view),
        "pools" => Pools(view),
        "stats" => Stats(view),
        _ => null,
    };

    protected virtual ApiReply Version(MinerView view)
    {
        var o = new ApiObject(6)
            .Add(MinerSoftwareKey, MinerSoftwareVersion(view.Model))
            .Add("API", "3.1")
            .Add("Miner", view.Identity.FirmwareVersion)
            .Add("CompileTime", CompileTime(view.Model))
            .Add("Type", TypeText(view.Model));
        return Ok(view, CgminerCodes.Version, MsgWord(view) + " versions", Section("VERSION", true, o));
    }

    protected virtual ApiReply Summary(MinerView v)
    {
        double diffAll = v.DifficultyAccepted + v.DifficultyRejected + v.DifficultyStale;
        var o = new ApiObject(28)
            .Add("Elapsed", v.Elapsed)
            .Add("GHS 5s", S(Fmt(v.Hash5s / 1e9, 2)))
            .Add("GHS av", F(v.HashAverage / 1e9, 2))
            .Add("Found Blocks", 0)
            .Add("Getworks", v.Getworks)
            .Add("Accepted", v.Accepted)
            .Add("Rejected", v.Rejected)
            .Add("Hardware Errors", v.HardwareErrors)
            .Add("Utility", F(Utility(v), 2))
            .Add("Discarded", v.Getworks * 3)
            .Add("Stale", v.Stale)
            .Add("Get Failures", 0)
            .Add("Local Work", (long)(v.Diff1 / 64))
            .Add("Remote Failures", 0)
            .Add("Network Blocks", v.Elapsed / 600)
            .Add("Total MH", F(v.TotalHashes / 1e6, 4))
            .Add("Work Utility", F(WorkUtility(v), 2))
            .Add("Difficulty Accepted", F(v.DifficultyAccepted, 8))
            .Add("Difficulty Rejected", F(v.DifficultyRejected, 8))
            .Add("Difficulty Stale", F(v.DifficultyStale, 8))
            .Add("Best Share", BestShare(v))
            .Add("Device Hardware%", F(Percent(v.HardwareErrors, v.HardwareErrors + v.Diff1), 4))
            .Add("Device Rejected%", F(Percent(v.DifficultyRejected, v.Diff1), 4))
            .Add("Pool Rejected%", F(Percent(v.DifficultyRejected, diffAll), 4))
            .Add("Pool Stale%", F(Percent(v.DifficultyStale, diffAll), 4))
            .Add("Last getwork", v.When);
        return Ok(v, CgminerCodes.Summary, "Summary", Section("SUMMARY", true, o));
    }

    protected virtual ApiReply Pools(MinerView v)
    {
        var objects = new List<ApiObject>(v.Pools.Count);
        foreach (PoolView p in v.Pools)
        {
            double all = p.DifficultyAccepted + p.DifficultyRejected + p.DifficultyStale;
            objects.Add(new ApiObject(30)
                .Add("POOL", p.Index)
                .Add("URL", p.Url)
                .Add("Status", p.Status)
                .Add("Priority", p.Priority)
                .Add("Quota", p.Quota)
                .Add("Long Poll", "N")
                .Add("Getworks", p.Getworks)
                .Add("Accepted", p.Accepted)
                .Add("Rejected", p.Rejected)
                .Add("Discarded", p.Getworks * 3)
                .Add("Stale", p.Stale)
                .Add("Get Failures", 0)
                .Add("Remote Failures", 0)
                .Add("User", p.User)
                .Add("Last Share Time", SinceText(v.Now, p.LastShareAt))
                .Add("Diff", p.Active ? ShortDiff(p.ShareDifficulty) : string.Empty)
                .Add("Diff1 Shares", 0)
                .Add("Proxy Type", string.Empty)
                .Add("Proxy", string.Empty)
                .Add("Difficulty Accepted", F(p.DifficultyAccepted, 8))
                .Add("Difficulty Rejected", F(p.DifficultyRejected, 8))
                .Add("Difficulty Stale", F(p.DifficultyStale, 8))
                .Add("Last Share Difficulty", F(p.LastShareDifficulty, 8))
                .Add("Has Stratum", true)
                .Add("Stratum Active", p.Active)
                .Add("Stratum URL", p.Active ? StratumHost(p.Url) : string.Empty)
                .Add("Has GBT", false)
                .Add("Best Share", (long)(p.Diff1 > 0 ? Math.Min(p.Diff1 * 8, 1e12) : 0))
                .Add("Pool Rejected%", F(Percent(p.DifficultyRejected, all), 4))
                .Add("Pool Stale%", F(Percent(p.DifficultyStale, all), 4)));
            ExtendPool(objects[^1], p);
        }

        return Ok(v, CgminerCodes.Pool, $"{v.Pools.Count} Pool(s)", Section("POOLS", false, objects));
    }

    /// <summary>Keys a fork appends to each pool object (VNish adds "Boost").</summary>
    protected virtual void ExtendPool(ApiObject pool, PoolView view)
    {
    }

    /// <summary>Key naming the miner software in the first STATS object (VNish writes "Cgminer" there).</summary>
    protected virtual string StatsHeadKey => MinerSoftwareKey;

    protected virtual ApiReply Stats(MinerView v)
    {
        var head = new ApiObject(5)
            .Add(StatsHeadKey, MinerSoftwareVersion(v.Model))
            .Add("Miner", v.Identity.FirmwareVersion)
            .Add("CompileTime", CompileTime(v.Model))
            .Add("Type", TypeText(v.Model));
        ApiObject body = v.Model.Layout switch
        {
            StatsLayout.S9 => StatsS9(v),
            StatsLayout.S17 => StatsS17(v),
            _ => StatsS19(v),
        };
        var section = new ApiSection("STATS", [head, body], PlainPrefix: false, MissingCommaQuirk: v.Model.Layout == StatsLayout.S9 && QuirkS9Comma);
        return Ok(v, CgminerCodes.Stats, MsgWord(v) + " stats", section);
    }

    /// <summary>Stock S9 bmminer's "}{" between STATS objects; VNish keeps it too (see antminer-s9-nicehash).</summary>
    protected virtual bool QuirkS9Comma => true;

    protected static string StratumHost(string url)
    {
        int scheme = url.IndexOf("://", StringComparison.Ordinal);
        string rest = scheme >= 0 ? url[(scheme + 3)..] : url;
        int colon = rest.LastIndexOf(':');
        return colon > 0 ? rest[..colon] : rest;
    }

    /// <summary>Chip status string "chain_acs": a space, then groups of 'o' (one per chip). Cached: it only depends on the chip count.</summary>
    protected static string ChipStatus(int chips, int group)
    {
        if (chips <= 0)
        {
            return string.Empty;
        }

        return ChipStatusCache.GetOrAdd((chips, group), static key =>
        {
            var sb = new StringBuilder(key.Chips + (key.Chips / key.Group) + 2);
            for (int i = 0; i < key.Chips; i++)
            {
                if (i % key.Group == 0)
                {
                    sb.Append(' ');
                }

                sb.Append('o');
            }

            return sb.ToString();
        });
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<(int Chips, int Group), string> ChipStatusCache = new();

    /// <summary>Board for firmware chain slot n (1-based), or null when the slot is empty.</summary>
    protected static BoardView? Chain(MinerView v, int slot)
    {
        int index = slot - v.Model.FirstChainIndex;
        return index >= 0 && index < v.Boards.Count ? v.Boards[index] : null;
    }

    protected static string PcbTemps(BoardView? b) =>
        b is { Alive: true } ? Quad((int)b.BoardTemp - 30, (int)b.BoardTemp, (int)b.BoardTemp - 32, (int)b.BoardTemp - 3) : "0-0-0-0";

    protected static string ChipTemps(BoardView? b) =>
        b is { Alive: true } ? Quad((int)b.ChipTemp - 32, (int)b.ChipTemp, (int)b.ChipTemp - 31, (int)b.ChipTemp - 10) : "0-0-0-0";

    private static string Quad(int a, int b, int c, int d) => string.Create(CultureInfo.InvariantCulture, $"{a}-{b}-{c}-{d}");

    protected static int Temp(double t) => (int)Math.Round(t);
}
