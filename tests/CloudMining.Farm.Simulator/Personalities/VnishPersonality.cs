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

    /// <summary>VNish's writes go through its REST API (/api/v1 on the web port), as pyasic and asic-rs use it.</summary>
    public override bool ServesVnishRest => true;

    /// <summary>
    /// VNish's cgminer-compatible port is for reads: no public source (VNish's API description, pyasic, asic-rs) shows
    /// it taking cgminer writes, so the simulator refuses them as stock Antminer does (Code 45) unless permissive.
    /// </summary>
    public override bool RefusesRpcWrites => true;

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

    // VNish sends the S9 frequency as text and adds per-chain voltage and consumption after the stock keys.
    protected override ApiValue S9Frequency(MinerModel model) =>
        ApiValue.Str(model.FrequencyMhz.ToString(System.Globalization.CultureInfo.InvariantCulture));

    protected override void AddS9Tail(ApiObject o, MinerView v, IReadOnlyList<int> presentChains)
    {
        AddPerChain(o, presentChains, "chain_bchips", _ => ApiValue.Str("Warm up"));
        AddPerChain(o, presentChains, "chain_xtime", _ => ApiValue.Str("{}"));
        AddPerChain(o, presentChains, "chain_offside_", _ => ApiValue.Str("0"));
        AddPerChain(o, presentChains, "chain_opencore_", _ => ApiValue.Str("0"));
        AddPerChain(o, presentChains, "chain_vol", _ => ApiValue.Whole(920));
        long perChain = (long)(v.PowerWatts / Math.Max(1, v.AliveBoards));
        AddPerChain(o, presentChains, "chain_consumption", _ => ApiValue.Whole(perChain));
        o.Add("miner_version", v.Identity.FirmwareVersion).Add("manual_fan_mode", false).Add("build_version", "3.8.6");
    }
}
