using CloudMining.Farm.Simulator.Mining;
using CloudMining.Farm.Simulator.Wire;

namespace CloudMining.Farm.Simulator.Personalities;

/// <summary>The three stock "stats" layouts, key for key in fixture order: S9 (antminer-s9-bad-temps), S17 (antminer-s17), S19 (antminer-s19-really-cold).</summary>
public partial class AntminerPersonality
{
    private ApiObject StatsS9(MinerView v)
    {
        const int Slots = 16;
        var o = new ApiObject(240)
            .Add("STATS", 0).Add("ID", "BC50").Add("Elapsed", v.Elapsed).Add("Calls", 0)
            .Add("Wait", F(0, 6)).Add("Max", F(0, 6)).Add("Min", F(99999999, 6))
            .Add("GHS 5s", S(Fmt(v.Hash5s / 1e9, 2))).Add("GHS av", F(v.HashAverage / 1e9, 2))
            .Add("miner_count", v.AliveBoards).Add("frequency", S9Frequency(v.Model)).Add("fan_num", v.FanRpm.Count);
        for (int i = 1; i <= 8; i++)
        {
            // S9 bmminer reports its two fans in slots 5 and 6.
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
        AddS9Tail(o, v, [.. v.Boards.Where(b => b.Alive).Select(b => b.Index + v.Model.FirstChainIndex)]);
        return o;
    }

    /// <summary>The S9 layout's "frequency": stock bmminer sends a number.</summary>
    protected virtual ApiValue S9Frequency(MinerModel model) => ApiValue.Whole(model.FrequencyMhz);

    /// <summary>The per-chain keys after the chain blocks, and the closing keys, of the S9 layout.</summary>
    protected virtual void AddS9Tail(ApiObject o, MinerView v, IReadOnlyList<int> presentChains)
    {
        AddPerChain(o, presentChains, "chain_xtime", _ => ApiValue.Str("{}"));
        AddPerChain(o, presentChains, "chain_offside_", _ => ApiValue.Str("0"));
        AddPerChain(o, presentChains, "chain_opencore_", _ => ApiValue.Str("0"));
        o.Add("miner_version", v.Identity.FirmwareVersion);
    }

    protected static void AddPerChain(ApiObject o, IReadOnlyList<int> chains, string prefix, Func<int, ApiValue> value)
    {
        foreach (int c in chains)
        {
            o.Add(prefix + c.ToString(System.Globalization.CultureInfo.InvariantCulture), value(c));
        }
    }

    private static ApiObject StatsS17(MinerView v)
    {
        const int Slots = 16;
        var o = new ApiObject(320)
            .Add("STATS", 0).Add("ID", "BTM_SOC0").Add("Elapsed", v.Elapsed).Add("Calls", 0)
            .Add("Wait", F(0, 6)).Add("Max", F(0, 6)).Add("Min", F(99999999, 6))
            .Add("GHS 5s", S(Fmt(v.Hash5s / 1e9, 2))).Add("GHS av", F(v.HashAverage / 1e9, 2))
            .Add("GHS 30m", F(v.HashAverage / 1e9, 2))
            .Add("Mode", 1).Add("miner_count", v.AliveBoards).Add("frequency", string.Empty).Add("fan_num", v.FanRpm.Count);
        for (int i = 1; i <= Slots; i++)
        {
            o.Add("fan" + i, i <= v.FanRpm.Count ? v.FanRpm[i - 1] : 0);
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
            BoardView? b = Chain(v, i);
            o.Add("temp3_" + i, b is { Alive: true } ? Temp(b.ChipTemp) : 0);
        }

        for (int i = 1; i <= Slots; i++)
        {
            o.Add("temp_pcb" + i, PcbTemps(Chain(v, i)));
        }

        for (int i = 1; i <= Slots; i++)
        {
            o.Add("temp_chip" + i, ChipTemps(Chain(v, i)));
        }

        o.Add("total_rateideal", F(v.NominalHash / 1e9, 2))
            .Add("rate_unit", "GH")
            .Add("total_freqavg", F(0, 2))
            .Add("total_acn", v.TotalChips)
            .Add("total_rate", F(v.Hash5s / 1e9, 2));
        for (int i = 1; i <= Slots; i++)
        {
            o.Add("chain_rateideal" + i, F(0, 2));
        }

        o.Add("temp_max", Temp(v.MaxBoardTemp)).Add("no_matching_work", v.HardwareErrors);
        AddChainBlocks(o, v, Slots, group: 8);
        foreach (BoardView b in v.Boards.Where(b => b.Alive))
        {
            o.Add("chain_xtime" + (b.Index + 1), "{}");
        }

        foreach (BoardView b in v.Boards.Where(b => b.Alive))
        {
            o.Add("chain_offside_" + (b.Index + 1), string.Empty);
        }

        foreach (BoardView b in v.Boards.Where(b => b.Alive))
        {
            o.Add("chain_opencore_" + (b.Index + 1), "1");
        }

        for (int i = 1; i <= Slots; i++)
        {
            BoardView? b = Chain(v, i);
            o.Add("freq" + i, b is { Alive: true } ? v.Model.FrequencyMhz : 0);
        }

        o.Add("miner_version", v.Identity.FirmwareVersion).Add("miner_id", v.Identity.ControlBoardId);
        return o;
    }

    private static ApiObject StatsS19(MinerView v)
    {
        const int Slots = 4;
        var o = new ApiObject(80)
            .Add("STATS", 0).Add("ID", "BTM_SOC0").Add("Elapsed", v.Elapsed).Add("Calls", 0)
            .Add("Wait", 0).Add("Max", 0).Add("Min", 99999999)
            .Add("GHS 5s", F(v.Hash5s / 1e9, 2)).Add("GHS av", F(v.HashAverage / 1e9, 2))
            .Add("rate_30m", F(v.HashAverage / 1e9, 2))
            .Add("Mode", 2).Add("miner_count", v.AliveBoards).Add("frequency", v.Model.FrequencyMhz).Add("fan_num", v.FanRpm.Count);
        for (int i = 1; i <= v.FanRpm.Count; i++)
        {
            o.Add("fan" + i, v.FanRpm[i - 1]);
        }

        o.Add("temp_num", v.AliveBoards);
        for (int i = 1; i <= v.Model.Boards; i++)
        {
            BoardView? b = Chain(v, i);
            // Stock S19 firmware interleaves temp1, temp2_1, temp2, temp2_2, ... (see antminer-s19-really-cold).
            o.Add("temp" + i, b is { Alive: true } ? Temp(b.BoardTemp) : 0);
            o.Add("temp2_" + i, b is { Alive: true } ? Temp(b.ChipTemp) : 0);
        }

        for (int i = 1; i <= Slots; i++)
        {
            o.Add("temp_pcb" + i, PcbTemps(Chain(v, i)));
        }

        for (int i = 1; i <= Slots; i++)
        {
            o.Add("temp_chip" + i, ChipTemps(Chain(v, i)));
        }

        for (int i = 1; i <= Slots; i++)
        {
            BoardView? b = Chain(v, i);
            o.Add("temp_pic" + i, b is { Alive: true } ? Quad((int)b.BoardTemp - 30, (int)b.BoardTemp - 33, (int)b.BoardTemp - 12, (int)b.BoardTemp - 10) : "0-0-0-0");
        }

        o.Add("total_rateideal", F(v.NominalHash / 1e9, 1))
            .Add("rate_unit", "GH")
            .Add("total_freqavg", v.Model.FrequencyMhz)
            .Add("total_acn", v.TotalChips)
            .Add("total rate", F(v.HashAverage / 1e9, 2))
            .Add("temp_max", Temp(v.MaxBoardTemp))
            .Add("no_matching_work", v.HardwareErrors);
        AddChainBlocks(o, v, Slots, group: 3);
        for (int i = 1; i <= Slots; i++)
        {
            BoardView? b = Chain(v, i);
            o.Add("freq" + i, b is { Alive: true } ? v.Model.FrequencyMhz : 0);
        }

        o.Add("miner_version", v.Identity.FirmwareVersion).Add("miner_id", v.Identity.ControlBoardId);
        return o;
    }

    protected static void AddChainBlocks(ApiObject o, MinerView v, int slots, int group)
    {
        for (int i = 1; i <= slots; i++)
        {
            BoardView? b = Chain(v, i);
            o.Add("chain_acn" + i, b?.Chips ?? 0);
        }

        for (int i = 1; i <= slots; i++)
        {
            BoardView? b = Chain(v, i);
            o.Add("chain_acs" + i, ChipStatus(b?.Chips ?? 0, group));
        }

        for (int i = 1; i <= slots; i++)
        {
            BoardView? b = Chain(v, i);
            o.Add("chain_hw" + i, b?.HardwareErrors ?? 0);
        }

        for (int i = 1; i <= slots; i++)
        {
            BoardView? b = Chain(v, i);
            o.Add("chain_rate" + i, b is { Alive: true } ? Fmt(b.Hash5s / 1e9, 2) : string.Empty);
        }
    }
}
