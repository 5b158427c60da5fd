namespace CloudMining.Farm.Controller.Operations;

/// <summary>
/// The proof a customer can check, for the local API (`farmctl contracts proof`, `farmctl ledger export --settlements`)
/// and the controller's web pages. Failures as in <see cref="IControllerOperations"/>: an unknown contract is a
/// <see cref="KeyNotFoundException"/>.
/// </summary>
public interface IProofOperations
{
    /// <summary>A contract's hours in [<paramref name="from"/>, <paramref name="to"/>) (the hour in progress included when in range) and its settlements.</summary>
    Task<ContractProofView> GetContractProofAsync(string contractId, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken);

    /// <summary>Closed settlements whose period starts in [from, to), of one contract or all (null).</summary>
    Task<IReadOnlyList<SettlementView>> GetSettlementsAsync(string? contractId, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken);
}
