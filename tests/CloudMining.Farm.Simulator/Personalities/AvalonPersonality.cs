using System.Globalization;
using System.Text;
using CloudMining.Farm.Simulator.Mining;
using CloudMining.Farm.Simulator.Wire;

namespace CloudMining.Farm.Simulator.Personalities;

/// <summary>Canaan AvalonMiner (cgminer 4.11.1): stats with the "MM ID0" Key[value] module string, version with PROD/MODEL/DNA/MAC (see avalon/avalon-15-194-pyasic).</summary>
public sealed class AvalonPersonality : FirmwarePersonality
{
    private static readonly IReadOnlyList<MinerModel> Catalog =
    [
        new("15-194", 194, 3, 160, 2, 7500, 3731, 346),
        new("1366", 130, 3, 120, 2, 7500, 3400, 500),
    ];

    public override string Name => "avalon";

    /// <inheritdoc />
    public override bool ReportsSerialOnApi => true;

    public override IReadOnlyList<MinerModel> Models => Catalog;

    public override IReadOnlyList<string> ReadCommands { get; } = ["version", "summary", "devs", "stats", "estats", "pools"];


    public override string Description(MinerView view) => "cgminer 4.11.1";

    public override string FirmwareVersion(MinerModel model) => "24102401_25462b2_9ddf522";

    public override ApiReply? Read(string command, string? parameter, MinerView view) => command switch
    {
        "version" => Version(view),
        "summary" => Ok(view, CgminerCodes.Summary, "Summary",
            Section("SUMMARY", true, CgminerReplies.SummaryTail(CgminerReplies.Summary(view, "30s"), view))),
        "devs" => Devs(view),
        "stats" or "estats" => Stats(view),
        "pools" => Ok(view, CgminerCodes.Pool, $"{view.Pools.Count} Pool(s)", Section("POOLS", false, CgminerReplies.Pools(view, hasVmask: true))),
        _ => null,
    };

    /// <summary>Power per work level as a share of the model's nominal (level 1: nominal).</summary>
    public static IReadOnlyDictionary<string, double> WorkLevels { get; } = new Dictionary<string, double>(StringComparer.Ordinal) { ["0"] = 0.8, ["1"] = 1.0, ["2"] = 1.1 };

    /// <summary>
    /// Canaan's ascset as asic-rs's captures of a real Avalon show it: "0,softoff,1:&lt;time&gt;" and "0,softon,1:&lt;time&gt;"
    /// answer STATUS I, Code 118, "ASC 0 set info: success softoff:&lt;time&gt;"; "0,worklevel,set,N", "0,led,1-1|1-0" and
    /// "0,reboot,0" answer STATUS S, Code 119, "ASC 0 set OK"; an unknown option answers the option list (Code 118).
    /// The simulator acts at once rather than at the given time. ascset is privileged (cgminer's api-allow W).
    /// </summary>
    public override ApiReply? Control(string command, string? parameter, IMinerControls miner, out bool restartAfterReply)
    {
        restartAfterReply = false;
        if (command != "ascset")
        {
            return null;
        }

        miner.CountWrite();
        MinerView view = miner.Snapshot();
        if (!miner.Spec.WriteAccess)
        {
            return new ApiReply(new ApiStatus("E", CgminerCodes.AccessDenied, "Access denied to 'ascset' command", Description(view)), view.When);
        }

        string[] parts = (parameter ?? string.Empty).Split(',', StringSplitOptions.TrimEntries);
        string option = parts.Length >= 2 ? parts[1].ToLowerInvariant() : string.Empty;
        string value = parts.Length >= 3 ? string.Join(',', parts[2..]) : string.Empty;
        switch (option)
        {
            case "softoff" or "softon" when value.StartsWith("1:", StringComparison.Ordinal) && long.TryParse(value[2..], out long at):
                miner.Sleeping = option == "softoff";
                return Info(view, $"ASC 0 set info: success {option}:{at}");
            case "worklevel" when parts.Length == 4 && parts[2] == "set" && WorkLevels.TryGetValue(parts[3], out double scale):
                miner.SetPowerLevel(parts[3] == "1" ? null : parts[3], scale);
                return SetOk(view);
            case "led" when value is "1-1" or "1-0":
                miner.Locating = value == "1-1";
                return SetOk(view);
            case "reboot":
                restartAfterReply = true;
                return SetOk(view);
            default:
                return Info(view, "ASC 0 set info: help|voltage|fan-spd|lcd|hash-sn-read|hash-sn-write|volt-tuning|workmode|worklevel|work_mode_lvl|reboot|softon|softoff|filter-clean|facopts|faclock|activate|solo-allowed|frequency|loop|password|qr_auth|time|");
        }
    }

    private ApiReply SetOk(MinerView view) => new(new ApiStatus("S", 119, "ASC 0 set OK", Description(view)), view.When);

    private ApiReply Info(MinerView view, string msg) => new(new ApiStatus("I", 118, msg, Description(view)), view.When);

    private ApiReply Version(MinerView v)
    {
        var o = new ApiObject(12)
            .Add("CGMiner", "4.11.1")
            .Add("API", "3.7")
            .Add("STM8", "20.08.01")
            .Add("PROD", "AvalonMiner " + v.Model.Name)
            .Add("MODEL", v.Model.Name)
            .Add("HWTYPE", "MM4v2_X3")
            .Add("SWTYPE", "MM319")
            .Add("VERSION", v.Identity.FirmwareVersion)
            .Add("LOADER", "d0d779de.00")
            .Add("DNA", v.Identity.Serial)
            .Add("MAC", v.Identity.Mac.Replace(":", string.Empty, StringComparison.Ordinal).ToLowerInvariant())
            .Add("UPAPI", "2");
        return Ok(v, CgminerCodes.Version, "CGMiner versions", Section("VERSION", true, o));
    }

    private ApiReply Devs(MinerView v)
    {
        double av = v.HashAverage / 1e6;
        double all = v.Diff1;
        var o = new ApiObject(24)
            .Add("ASC", 0)
            .Add("Name", "AVA10")
            .Add("ID", 0)
            .Add("Enabled", "Y")
            .Add("Status", "Alive")
            // Avalon 15xx leaves the ASC temperature unset (-273); temperatures live in the MM ID string.
            .Add("Temperature", F(-273, 2))
            .Add("MHS av", F(av, 2))
            .Add("MHS 30s", F(v.Hash5s / 1e6, 2))
            .Add("MHS 1m", F(CgminerReplies.Window(v, av, 60), 2))
            .Add("MHS 5m", F(CgminerReplies.Window(v, av, 300), 2))
            .Add("MHS 15m", F(CgminerReplies.Window(v, av, 900), 2))
            .Add("Accepted", v.Accepted)
            .Add("Rejected", v.Rejected)
            .Add("Hardware Errors", v.HardwareErrors)
            .Add("Utility", F(v.Elapsed > 0 ? v.Accepted * 60.0 / v.Elapsed : 0, 2))
            .Add("Last Share Pool", 0)
            .Add("Last Share Time", v.Pools.Select(p => p.LastShareAt?.ToUnixTimeSeconds() ?? 0).DefaultIfEmpty(0).Max())
            .Add("Total MH", F(v.TotalHashes / 1e6, 4))
            .Add("Diff1 Work", (long)all)
            .Add("Difficulty Accepted", F(v.DifficultyAccepted, 8))
            .Add("Difficulty Rejected", F(v.DifficultyRejected, 8))
            .Add("Last Share Difficulty", F(v.Pools.Select(p => p.LastShareDifficulty).DefaultIfEmpty(0).Max(), 8))
            .Add("Last Valid Work", v.When)
            .Add("Device Hardware%", F(CgminerReplies.Pct(v.HardwareErrors, v.HardwareErrors + all), 4))
            .Add("Device Rejected%", F(CgminerReplies.Pct(v.DifficultyRejected, all), 4))
            .Add("Device Elapsed", v.Elapsed);
        return Ok(v, CgminerCodes.Devs, "1 ASC(s)", Section("DEVS", false, o));
    }

    private ApiReply Stats(MinerView v)
    {
        var objects = new List<ApiObject>
        {
            new ApiObject(12)
                .Add("STATS", 0).Add("ID", "AVA100").Add("Elapsed", v.Elapsed).Add("Calls", 0)
                .Add("Wait", F(0, 6)).Add("Max", F(0, 6)).Add("Min", F(99999999, 6))
                .Add("MM ID0", ModuleString(v))
                .Add("MM Count", 1).Add("Smart Speed", 1).Add("Voltage Level Offset", 0).Add("Nonce Mask", 25),
        };
        foreach (PoolView p in v.Pools)
        {
            objects.Add(new ApiObject(28)
                .Add("STATS", p.Index + 1).Add("ID", "POOL" + p.Index.ToString(CultureInfo.InvariantCulture)).Add("Elapsed", v.Elapsed)
                .Add("Calls", 0).Add("Wait", F(0, 6)).Add("Max", F(0, 6)).Add("Min", F(99999999, 6))
                .Add("Pool Calls", 0).Add("Pool Attempts", 0).Add("Pool Wait", F(0, 6)).Add("Pool Max", F(0, 6))
                .Add("Pool Min", F(99999999, 6)).Add("Pool Av", F(0, 6))
                .Add("Work Had Roll Time", false).Add("Work Can Roll", false).Add("Work Had Expire", false).Add("Work Roll Time", 0)
                .Add("Work Diff", F(p.Active ? p.ShareDifficulty : 0, 8))
                .Add("Min Diff", F(p.Active ? p.ShareDifficulty : 0, 8))
                .Add("Max Diff", F(p.Active ? p.ShareDifficulty : 0, 8))
                .Add("Min Diff Count", p.Active ? 1 : 0).Add("Max Diff Count", p.Active ? 1 : 0)
                .Add("Times Sent", p.Accepted + p.Rejected + 3).Add("Bytes Sent", (p.Accepted + p.Rejected + 3) * 176)
                .Add("Times Recv", p.Getworks + 6).Add("Bytes Recv", (p.Getworks + 6) * 350)
                .Add("Net Bytes Sent", (p.Accepted + p.Rejected + 3) * 176).Add("Net Bytes Recv", (p.Getworks + 6) * 350));
        }

        return Ok(v, CgminerCodes.Stats, "CGMiner stats", Section("STATS", false, objects));
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<(int Board, int Chips, int Kind, int Base), string> VectorCache = new();

    /// <summary>A per-chip vector (chip temperatures, voltages, nonce counts): fixed spread per chip around a base, cached because only the base moves.</summary>
    private static string ChipVector(int board, int chips, int kind, int baseValue, int spread, string separator, bool leadingSpace) =>
        VectorCache.GetOrAdd((board, chips, kind, baseValue), key =>
        {
            string body = string.Join(separator, Enumerable.Range(0, key.Chips)
                .Select(c => (key.Base + (int)(DeterministicNoise.Hash(key.Board, c, key.Kind) % (ulong)spread)).ToString(CultureInfo.InvariantCulture)));
            return leadingSpace ? " " + body : body;
        });

    /// <summary>The "MM ID0" module string: Key[value] items in the order Avalon 15xx writes them.</summary>
    private static string ModuleString(MinerView v)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder(4096);
        void Kv(string key, string value) => sb.Append(sb.Length > 0 ? " " : string.Empty).Append(key).Append('[').Append(value).Append(']');
        string Join(IEnumerable<string> items) => string.Join(' ', items);
        IReadOnlyList<BoardView> boards = v.Boards;
        int alive = v.AliveBoards;
        double ghs5 = v.Hash5s / 1e9;
        double ghsAv = v.HashAverage / 1e9;
        double chipMax = v.MaxChipTemp;
        double chipAvg = boards.Where(b => b.Alive).Select(b => b.ChipTemp - 8).DefaultIfEmpty(0).Average();
        int fanPercent = v.FanDutyPercent;

        Kv("Ver", "15-194-" + v.Identity.FirmwareVersion);
        Kv("DNA", v.Identity.Serial);
        Kv("MEMFREE", "1392832.1381104");
        Kv("NETFAIL", "0 0 0 0 0 0 0 0");
        Kv("SYSTEMSTATU", $"Work: In Work, Hash Board: {alive.ToString(inv)} ");
        Kv("Elapsed", v.Elapsed.ToString(inv));
        Kv("BOOTBY", "0x04.00000000");
        Kv("LW", ((long)(v.Diff1 / 16)).ToString(inv));
        Kv("MH", Join(boards.Select(_ => "0")));
        Kv("DHW", "0");
        Kv("HW", v.HardwareErrors.ToString(inv));
        Kv("DH", "1.299%");
        Kv("Temp", ((int)v.AmbientCelsius).ToString(inv));
        Kv("TMax", ((int)chipMax).ToString(inv));
        Kv("TAvg", ((int)chipAvg).ToString(inv));
        for (int f = 0; f < v.FanRpm.Count; f++)
        {
            Kv("Fan" + (f + 1).ToString(inv), v.FanRpm[f].ToString(inv));
        }

        Kv("FanR", fanPercent.ToString(inv) + "%");
        Kv("Vo", "296");
        int watts = (int)v.PowerWatts;
        Kv("PS", $"0 1209 1187 297 {(watts - 205).ToString(inv)} 1188 {watts.ToString(inv)}");
        Kv("WALLPOWER", watts.ToString(inv));
        for (int b = 0; b < boards.Count; b++)
        {
            Kv("PLL" + b.ToString(inv), boards[b].Alive ? "3346 2549 4722 13703" : "0 0 0 0");
        }

        Kv("GHSspd", ghs5.ToString("F2", inv));
        Kv("DHspd", "1.299%");
        Kv("GHSmm", (v.NominalHash / 1e9).ToString("F2", inv));
        Kv("GHSavg", ghsAv.ToString("F2", inv));
        Kv("WU", (v.Elapsed > 0 ? v.Diff1 * 60.0 / v.Elapsed : 0).ToString("F2", inv));
        Kv("Freq", v.Model.FrequencyMhz.ToString("F2", inv));
        Kv("Led", "0");
        Kv("MGHS", Join(boards.Select(b => (b.Hash5s / 1e9).ToString("F2", inv))));
        Kv("MTmax", Join(boards.Select(b => ((int)b.ChipTemp).ToString(inv))));
        Kv("MTavg", Join(boards.Select(b => ((int)b.BoardTemp).ToString(inv))));
        Kv("MVavg", Join(boards.Select(b => b.Alive ? "285.7" : "0.0")));
        Kv("TA", (alive * v.Model.ChipsPerBoard).ToString(inv));
        Kv("Core", "A3197S");
        Kv("PING", "131");
        Kv("POWS", "0");
        Kv("EEPROM", Join(boards.Select(_ => "160")));
        Kv("HASHS", Join(boards.Select(_ => "0")));
        Kv("POOLS", "0");
        Kv("SoftOFF", "0");
        Kv("ECHU", Join(boards.Select(_ => "0")));
        Kv("ECMM", "0");
        for (int b = 0; b < boards.Count; b++)
        {
            Kv("SF" + b.ToString(inv), "300 318 339 360");
        }

        for (int b = 0; b < boards.Count; b++)
        {
            Kv("PVT_T" + b.ToString(inv), ChipVector(b, boards[b].Chips, 0, (int)boards[b].ChipTemp - 12, 13, "  ", leadingSpace: true));
        }

        for (int b = 0; b < boards.Count; b++)
        {
            Kv("PVT_V" + b.ToString(inv), ChipVector(b, boards[b].Chips, 1, 280, 15, " ", leadingSpace: false));
        }

        Kv("MW", Join(boards.Select(b => ((long)(b.TotalHashes / 4294967296.0 / 64)).ToString(inv))));
        for (int b = 0; b < boards.Count; b++)
        {
            Kv("MW" + b.ToString(inv), ChipVector(b, boards[b].Chips, 2, 10, 20, " ", leadingSpace: false));
        }

        Kv("CRC", Join(boards.Select(_ => "0")));
        Kv("COMCRC", Join(boards.Select(_ => "0")));
        for (int b = 0; b < boards.Count; b++)
        {
            Kv("FACOPTS" + b.ToString(inv), string.Empty);
        }

        for (int b = 0; b < boards.Count; b++)
        {
            Kv("ATAOPTS" + b.ToString(inv), "--avalon10-freq 300:318:339:360 --avalon10-voltage-level 1188 --hash-asic 160");
        }

        Kv("ADJ", "1");
        Kv("COP", Join(boards.Select(_ => "0")));
        Kv("MPO", "3515");
        Kv("MVL", "87");
        for (int b = 0; b < boards.Count; b++)
        {
            Kv("ATABD" + b.ToString(inv), "300 318 339 360");
        }

        Kv("WORKMODE", "1");
        return sb.ToString();
    }
}
