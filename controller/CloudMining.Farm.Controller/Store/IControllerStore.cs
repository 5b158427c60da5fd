using CloudMining.Farm.Controller.Admission;
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

    /// <summary>Miners the operator drained for maintenance.</summary>
    Task<IReadOnlySet<string>> GetDrainedMinersAsync(CancellationToken cancellationToken);

    /// <summary>Marks a miner drained (or clears the mark); survives restarts.</summary>
    Task SetMinerDrainedAsync(string minerId, bool drained, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Miners past probation, each with the rack it belongs to.</summary>
    Task<IReadOnlyList<KnownMiner>> GetKnownMinersAsync(CancellationToken cancellationToken);

    /// <summary>Records admitted miners (or a miner's new rack) in one transaction; an existing miner id is replaced.</summary>
    Task SaveKnownMinersAsync(IReadOnlyList<KnownMiner> miners, CancellationToken cancellationToken);

    /// <summary>Contracts that were ended (by the operator or by auto-termination), with when and why.</summary>
    Task<IReadOnlyDictionary<string, ContractEnding>> GetContractEndingsAsync(CancellationToken cancellationToken);

    /// <summary>Records that a contract ended; the contract row and its ledger stay.</summary>
    Task EndContractAsync(string contractId, DateTimeOffset at, string reason, CancellationToken cancellationToken);

    /// <summary>The ledger hours still being measured (delivered hashes and energy so far), saved so a restart resumes them.</summary>
    Task<IReadOnlyList<LedgerAccumulator>> LoadOpenLedgerAsync(CancellationToken cancellationToken);

    /// <summary>Replaces the open ledger hours atomically.</summary>
    Task SaveOpenLedgerAsync(IReadOnlyList<LedgerAccumulator> open, CancellationToken cancellationToken);

    /// <summary>In one transaction: writes completed ledger rows and replaces the open hours with <paramref name="stillOpen"/>, so an hour is never both open and closed.</summary>
    Task CloseLedgerHoursAsync(IReadOnlyList<LedgerEntry> completed, IReadOnlyList<LedgerAccumulator> stillOpen, CancellationToken cancellationToken);

    /// <summary>Per contract, the latest hour that has a ledger row.</summary>
    Task<IReadOnlyDictionary<string, DateTimeOffset>> GetLastLedgerHoursAsync(CancellationToken cancellationToken);

    /// <summary>A small engine setting kept across restarts (e.g. the first hour the ledger covers); null when unset.</summary>
    Task<string?> GetMetaAsync(string key, CancellationToken cancellationToken);

    Task SetMetaAsync(string key, string value, CancellationToken cancellationToken);
}
