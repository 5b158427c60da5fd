namespace CloudMining.Farm.Controller.Settlement;

/// <summary>How a contract makes good a shortfall beyond its tolerance.</summary>
public enum MakeGoodKind
{
    /// <summary>Extra hours at the contract's hashrate at the end of the term, enough to deliver the missing TH·h.</summary>
    ExtraHours = 0,

    /// <summary>A credit to the customer: the missing TH·h at the contract's credit price.</summary>
    Credit = 1,
}
