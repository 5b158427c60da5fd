using CloudMining.Farm.Controller.Allocation;
using CloudMining.Farm.Controller.Contracts;

namespace CloudMining.Farm.Controller.Store;

/// <summary>The controller's durable state (contracts, current allocation, ledger); SQLite today, PostgreSQL behind the same seam later.</summary>
public interface IControllerStore : IAsyncDisposable
{
    /// <summary>Highest schema migration applied.</summary>
    Task<int> GetSchemaVersionAsync(CancellationToken cancellationToken);

    /// <summary>Inserts or replaces a contract.</summary>
    Task UpsertContractAsync(Contract contract, CancellationToken cancellationToken);

    /// <summary>Removes a contract and its allocation rows; its ledger rows stay as history.</summary>
    Task<bool> DeleteContractAsync(string contractId, CancellationToken cancellationToken);

    /// <summary>All contracts, ordered by id.</summary>
    Task<IReadOnlyList<Contract>> GetContractsAsync(CancellationToken cancellationToken);

    /// <summary>Replaces the whole current allocation atomically and records its version: a crash leaves the old or the new one, never a mix.</summary>
    Task SaveAllocationAsync(long version, IReadOnlyDictionary<string, IReadOnlyList<PoolShare>> assignments, CancellationToken cancellationToken);

    /// <summary>The current allocation and its version (0 and empty before the first save).</summary>
    Task<(long Version, IReadOnlyDictionary<string, IReadOnlyList<PoolShare>> Assignments)> LoadAllocationAsync(CancellationToken cancellationToken);

    /// <summary>Writes ledger rows in one transaction; a row for an existing (contract, hour) replaces it.</summary>
    Task AppendLedgerAsync(IReadOnlyList<LedgerEntry> entries, CancellationToken cancellationToken);

    /// <summary>Ledger rows of a contract with <paramref name="from"/> ≤ hour &lt; <paramref name="to"/>, oldest first.</summary>
    Task<IReadOnlyList<LedgerEntry>> GetLedgerAsync(string contractId, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken);
}
