namespace CloudMining.Farm.Controller.Curtailment;

/// <summary>What a curtailment plan does to one miner.</summary>
public enum CurtailmentAction
{
    /// <summary>Lower its power target (or preset): it keeps hashing, at less power and hashrate.</summary>
    LowerPower,

    /// <summary>Sleep (pause) it: it stops hashing and stays reachable for resume.</summary>
    Sleep,
}
