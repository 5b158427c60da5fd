using CloudMining.Farm.Simulator.Mining;
using CloudMining.Farm.Simulator.Wire;

namespace CloudMining.Farm.Simulator.Personalities;

/// <summary>VNish custom Antminer firmware: bmminer-compatible API built on cgminer 4.11.1, "(vnish x.y.z)" in Type, extra chain_vol/chain_consumption and "Boost" keys (see antminer/antminer-s9-nicehash).</summary>
public sealed class VnishPersonality : AntminerPersonality
{
    private static readonly IReadOnlyList<MinerModel> Catalog =
    [
        new("Antminer S9", 13.5, 3, 63, 2, 6000, 1485, 600, StatsLayout.S9, FirstChainIndex: 6),
        new("Antminer S19 Pro", 110, 3, 114, 4, 6000, 3050, 525, StatsLayout.S19),
    ];

    public override string Name => "vnish";

    public override IReadOnlyList<MinerModel> Models => Catalog;

    public override string Description(MinerView view) => "cgminer 4.11.1";

    public override string FirmwareVersion(MinerModel model) => model.Layout == StatsLayout.S9 ? "26.0.1.3" : "49.0.1.3";

    protected override string MinerSoftwareKey => "CGMiner";

    protected override string StatsHeadKey => "Cgminer";

    protected override string MinerSoftwareVersion(MinerModel model) => "4.11.1";

    protected override string CompileTime(MinerModel model) => "Fri May  8 15:27:59 CST 2020";

    protected override string TypeText(MinerModel model) =>
        model.Name + (model.Layout == StatsLayout.S9 ? " (vnish 3.8.6)" : " (vnish 1.2.6)");

    protected override string MsgWord(MinerView view) => "CGMiner";

    protected override ApiReply Version(MinerView view)
    {
        var o = new ApiObject(5)
            .Add("CGMiner", "4.11.1")
            .Add("API", "3.7")
            .Add("Miner", view.Identity.FirmwareVersion)
            .Add("CompileTime", CompileTime(view.Model))
            .Add("Type", TypeText(view.Model));
        return Ok(view, CgminerCodes.Version, "CGMiner versions", Section("VERSION", true, o));
    }

    protected override void ExtendPool(ApiObject pool, PoolView view) => pool.Add("Boost", "Normal");

    protected override ApiObject StatsS9(MinerView v)
    {
        const int Slots = 16;
        var o = new ApiObject(240)
            .Add("STATS", 0).Add("ID", "BC50").Add("Elapsed", v.Elapsed).Add("Calls", 0)
            .Add("Wait", F(0, 6)).Add("Max", F(0, 6)).Add("Min", F(99999999, 6))
            .Add("GHS 5s", S(Fmt(v.Hash5s / 1e9, 2))).Add("GHS av", F(v.HashAverage / 1e9, 2))
            .Add("miner_count", v.AliveBoards).Add("frequency", v.Model.FrequencyMhz.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .Add("fan_num", v.FanRpm.Count);
        for (int i = 1; i <= 8; i++)
        {
            int fan = i - 5;
            o.Add("fan" + i, fan >= 0 && fan < v.FanRpm.Count ? v.FanRpm[fan] : 0);
        }

        o.Add("temp_num", v.AliveBoards);
        for (int i = 1; i <= Slots; i++)
        {
            BoardView? b = Chain(v, i);
            o.Add("temp" + i, b is { Alive: true } ? Temp(b.BoardTemp) : 0);
        }

        for (int i = 1; i <= Slots; i++)
        {
            BoardView? b = Chain(v, i);
            o.Add("temp2_" + i, b is { Alive: true } ? Temp(b.ChipTemp) : 0);
        }

        for (int i = 1; i <= Slots; i++)
        {
            o.Add("temp3_" + i, 0);
        }

        for (int i = 1; i <= Slots; i++)
        {
            BoardView? b = Chain(v, i);
            o.Add("freq_avg" + i, F(b is { Alive: true } ? v.Model.FrequencyMhz : 0, 2));
        }

        o.Add("total_rateideal", F(v.NominalHash / 1e9, 2))
            .Add("total_freqavg", F(v.Model.FrequencyMhz, 2))
            .Add("total_acn", v.TotalChips)
            .Add("total_rate", F(v.Hash5s / 1e9, 2));
        for (int i = 1; i <= Slots; i++)
        {
            BoardView? b = Chain(v, i);
            o.Add("chain_rateideal" + i, F(b?.NominalHash / 1e9 ?? 0, 2));
        }

        o.Add("temp_max", Temp(v.MaxChipTemp))
            .Add("Device Hardware%", F(Percent(v.HardwareErrors, v.HardwareErrors + v.Diff1), 4))
            .Add("no_matching_work", v.HardwareErrors);
        AddChainBlocks(o, v, Slots, group: 8);
        IEnumerable<int> present = v.Boards.Where(b => b.Alive).Select(b => b.Index + v.Model.FirstChainIndex).ToList();
        foreach (int c in present)
        {
            o.Add("chain_bchips" + c, "Warm up");
        }

        foreach (int c in present)
        {
            o.Add("chain_xtime" + c, "{}");
        }

        foreach (int c in present)
        {
            o.Add("chain_offside_" + c, "0");
        }

        foreach (int c in present)
        {
            o.Add("chain_opencore_" + c, "0");
        }

        foreach (int c in present)
        {
            o.Add("chain_vol" + c, 920);
        }

        foreach (int c in present)
        {
            o.Add("chain_consumption" + c, (long)(v.PowerWatts / Math.Max(1, v.AliveBoards)));
        }

        o.Add("miner_version", v.Identity.FirmwareVersion).Add("manual_fan_mode", false).Add("build_version", "3.8.6");
        return o;
    }
}
