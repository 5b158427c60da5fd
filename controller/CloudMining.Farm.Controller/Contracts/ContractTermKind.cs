namespace CloudMining.Farm.Controller.Contracts;

/// <summary>Whether a contract runs to a fixed end date or until mining stops paying.</summary>
public enum ContractTermKind
{
    /// <summary>Runs from a start to an end instant.</summary>
    FixedTerm = 0,

    /// <summary>Runs from a start until mining has had negative margin for a number of consecutive days.</summary>
    OpenEnded = 1,
}
