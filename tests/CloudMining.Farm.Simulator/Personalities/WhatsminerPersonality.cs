using System.Globalization;
using CloudMining.Farm.Simulator.Mining;
using CloudMining.Farm.Simulator.Wire;

namespace CloudMining.Farm.Simulator.Personalities;

/// <summary>MicroBT Whatsminer btminer (cgminer 4.9.2 base): summary in MH/s with Power, Fan Speed In/Out, Temperature; devs/edevs per board (see whatsminer/whatsminer-m20s-new-firmware).</summary>
/// <remarks>
/// btminer's pool and restart commands go through its encrypted token API (API v2 on the same port, served by
/// SimulatedMiner.Whatsminer.cs), not cgminer's privileged commands, so every cgminer write command is denied.
/// </remarks>
public class WhatsminerPersonality : FirmwarePersonality
{
    private static readonly IReadOnlyList<MinerModel> Catalog =
    [
        new("M20S", 68, 3, 111, 2, 7000, 3360, 622),
        new("M30S", 86, 3, 148, 2, 7000, 3268, 528),
        new("M31S", 74, 3, 156, 2, 7000, 3220, 546),
    ];

    public override string Name => "whatsminer";

    /// <inheritdoc />
    public override bool ReportsSerialOnApi => true;

    /// <summary>A MicroBT-style unit serial (letters and digits, 20 characters).</summary>
    public override string UnitSerial(ulong hash) =>
        "ZMS2EB" + (hash % 100_000_000_000_000UL).ToString("D14", CultureInfo.InvariantCulture);

    public override IReadOnlyList<MinerModel> Models => Catalog;

    public override bool SupportsQuota => false;

    /// <summary>btminer refuses cgminer-style privileged commands whatever the API access setting.</summary>
    public override bool AcceptsCgminerWrites => false;

    public override IReadOnlyList<string> ReadCommands { get; } = ["summary", "devs", "edevs", "pools", "get_miner_info"];

    public override string Description(MinerView view) => "cgminer 4.9.2";

    public override string FirmwareVersion(MinerModel model) => "20200917.22.REL";

    /// <summary>Firmware from November 2024 on: API v3 on 4433 takes the writes and API v2's privileged commands are gone.</summary>
    public virtual bool ServesApiV3 => false;

    public override string BoardSerial(ulong hash, int board) =>
        "H3M14S6F" + (hash % 1_000_000_000_000UL).ToString("D12", CultureInfo.InvariantCulture);

    public override ApiReply? Read(string command, string? parameter, MinerView view) => command switch
    {
        "summary" => Summary(view),
        "devs" or "edevs" => Devs(view),
        "get_miner_info" => MinerInfo(view),
        "pools" => Ok(view, CgminerCodes.Pool, $"{view.Pools.Count} Pool(s)", Section("POOLS", false, CgminerReplies.Pools(view, hasVmask: false))),
        _ => null,
    };

    // btminer's identity read (API v2 "get_miner_info"): network settings, the unit's serial (minersn) and the PSU's.
    private ApiReply MinerInfo(MinerView v) => Ok(v, 131, "Ok", Section("Msg", false, new ApiObject(6)
        .Add("ip", "0.0.0.0")
        .Add("proto", "dhcp")
        .Add("mac", v.Identity.Mac)
        .Add("ledstat", "auto")
        .Add("minersn", v.Identity.Serial)
        .Add("powersn", "P221B" + v.Identity.ControlBoardId[..10].ToUpperInvariant())));

    private ApiReply Summary(MinerView v)
    {
        double targetMhs = v.NominalHash / 1e6;
        ApiObject o = CgminerReplies.Summary(v)
            .Add("Temperature", F(v.MaxBoardTemp, 2))
            .Add("freq_avg", v.Model.FrequencyMhz)
            .Add("Fan Speed In", v.FanRpm.Count > 0 ? v.FanRpm[0] : 0)
            .Add("Fan Speed Out", v.FanRpm.Count > 1 ? v.FanRpm[1] : 0)
            .Add("Voltage", 1300)
            .Add("Power", (long)v.PowerWatts)
            .Add("Power_RT", (long)v.PowerWatts - 9);
        CgminerReplies.SummaryTail(o, v);
        IEnumerable<BoardView> alive = v.Boards.Where(b => b.Alive);
        o.Add("Uptime", v.Elapsed + 600)
            .Add("Chip Data", "HP3D04-20010214 C BINV04-192104B")
            .Add("Power Current", 245)
            .Add("Power Fanspeed", 8880)
            .Add("Error Code Count", 0)
            .Add("Factory Error Code Count", 0)
            .Add("Security Mode", 0)
            .Add("Liquid Cooling", false)
            .Add("Hash Stable", v.Elapsed > 1500)
            .Add("Hash Stable Cost Seconds", Math.Min(v.Elapsed, 1498))
            .Add("Hash Deviation%", F(CgminerReplies.Pct(v.Hash5s - v.NominalHash, v.NominalHash), 4))
            .Add("Target Freq", v.Model.FrequencyMhz)
            .Add("Target MHS", (long)targetMhs)
            .Add("Env Temp", F(v.AmbientCelsius, 2))
            .Add("Power Mode", "Normal")
            .Add("Firmware Version", "'" + v.Identity.FirmwareVersion + "'")
            .Add("CB Platform", "ALLWINNER_H3")
            .Add("CB Version", "V10")
            .Add("MAC", v.Identity.Mac)
            .Add("Factory GHS", (long)(v.NominalHash / 1e9))
            .Add("Power Limit", 3500)
            .Add("Chip Temp Min", F(alive.Select(b => b.ChipTemp - 15).DefaultIfEmpty(0).Min(), 2))
            .Add("Chip Temp Max", F(v.MaxChipTemp, 2))
            .Add("Chip Temp Avg", F(alive.Select(b => b.ChipTemp - 6).DefaultIfEmpty(0).Average(), 2));
        return Ok(v, CgminerCodes.Summary, "Summary", Section("SUMMARY", true, o));
    }

    private ApiReply Devs(MinerView v)
    {
        var objects = new List<ApiObject>();
        int asc = 0;
        foreach (BoardView b in v.Boards.Where(b => b.Alive))
        {
            double av = b.HashAverage / 1e6;
            double diff1 = b.TotalHashes / 4294967296.0;
            objects.Add(new ApiObject(40)
                .Add("ASC", asc++)
                .Add("Name", "SM")
                .Add("ID", b.Index)
                .Add("Slot", b.Index)
                .Add("Enabled", "Y")
                .Add("Status", "Alive")
                .Add("Temperature", F(b.BoardTemp, 2))
                .Add("Chip Frequency", v.Model.FrequencyMhz)
                .Add("Fan Speed In", v.FanRpm.Count > 0 ? v.FanRpm[0] : 0)
                .Add("Fan Speed Out", v.FanRpm.Count > 1 ? v.FanRpm[1] : 0)
                .Add("MHS av", F(av, 2))
                .Add("MHS 5s", F(b.Hash5s / 1e6, 2))
                .Add("MHS 1m", F(CgminerReplies.Window(v, av, 60), 2))
                .Add("MHS 5m", F(CgminerReplies.Window(v, av, 300), 2))
                .Add("MHS 15m", F(CgminerReplies.Window(v, av, 900), 2))
                .Add("Accepted", v.Accepted / Math.Max(1, v.AliveBoards))
                .Add("Rejected", v.Rejected / Math.Max(1, v.AliveBoards))
                .Add("Hardware Errors", b.HardwareErrors)
                .Add("Utility", F(v.Elapsed > 0 ? v.Accepted * 60.0 / v.Elapsed / Math.Max(1, v.AliveBoards) : 0, 2))
                .Add("Last Share Pool", 0)
                .Add("Last Share Time", v.Pools.Select(p => p.LastShareAt?.ToUnixTimeSeconds() ?? 0).DefaultIfEmpty(0).Max())
                .Add("Total MH", F(b.TotalHashes / 1e6, 4))
                .Add("Diff1 Work", (long)diff1)
                .Add("Difficulty Accepted", F(v.DifficultyAccepted / Math.Max(1, v.AliveBoards), 8))
                .Add("Difficulty Rejected", F(v.DifficultyRejected / Math.Max(1, v.AliveBoards), 8))
                .Add("Last Share Difficulty", F(v.Pools.Select(p => p.LastShareDifficulty).DefaultIfEmpty(0).Max(), 8))
                .Add("Last Valid Work", v.When)
                .Add("Device Hardware%", F(CgminerReplies.Pct(b.HardwareErrors, b.HardwareErrors + diff1), 4))
                .Add("Device Rejected%", F(CgminerReplies.Pct(v.DifficultyRejected / Math.Max(1, v.AliveBoards), diff1), 4))
                .Add("Device Elapsed", v.Elapsed)
                .Add("Upfreq Complete", 1)
                .Add("Effective Chips", b.Chips)
                .Add("PCB SN", b.Serial)
                .Add("Chip Temp Min", F(b.ChipTemp - 15, 2))
                .Add("Chip Temp Max", F(b.ChipTemp, 2))
                .Add("Chip Temp Avg", F(b.ChipTemp - 6, 2)));
        }

        return Ok(v, CgminerCodes.Devs, $"{objects.Count} ASC(s)", Section("DEVS", false, objects));
    }
}
