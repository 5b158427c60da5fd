namespace CloudMining.Farm.Controller.Settlement;

/// <summary>Where contracts' settlement terms and their closed (final) settlements are kept.</summary>
public interface ISettlementStore
{
    Task<IReadOnlyDictionary<string, SettlementTerms>> GetSettlementTermsAsync(CancellationToken cancellationToken);

    Task SetSettlementTermsAsync(string contractId, SettlementTerms terms, CancellationToken cancellationToken);

    /// <summary>Stores a settlement; false (and nothing changes) when that contract's period was already closed: a closed settlement is final.</summary>
    Task<bool> CloseSettlementAsync(ContractSettlement settlement, CancellationToken cancellationToken);

    /// <summary>Closed settlements whose period starts in [from, to), of one contract or all (null), by period then contract.</summary>
    Task<IReadOnlyList<ContractSettlement>> GetSettlementsAsync(string? contractId, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken);
}
