namespace CloudMining.Farm.Simulator.Mining;

/// <summary>Which generation of stock bmminer "stats" a model answers with (key sets differ, see the antminer fixtures).</summary>
public enum StatsLayout
{
    /// <summary>S9 family, bmminer 2.0.0: chains 6..8, fan5/fan6, freq_avg keys, "}{" between STATS objects.</summary>
    S9,

    /// <summary>S17/T17 family: 16 slots of temp/chain keys, temp_pcb/temp_chip strings.</summary>
    S17,

    /// <summary>S19/S21 family: 4 slots, temp_pic, "total rate" with a space, rate_30m.</summary>
    S19,

    /// <summary>Not an Antminer stats layout (other firmwares render their own).</summary>
    None,
}
