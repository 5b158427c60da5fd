using CloudMining.Farm.Controller.Store;

namespace CloudMining.Farm.Controller.Operations;

/// <summary>
/// What an operator can ask of and do to the running controller. The local API (farmctl) maps one endpoint to each
/// member; the engine implements it over fleet state, the store, the allocator and the publishers. Failures are typed:
/// <c>ContractValidationException</c> (bad input, names the field), <c>CapacityExceededException</c> (says how much is
/// free), <see cref="KeyNotFoundException"/> (unknown contract or miner), <see cref="InvalidOperationException"/>
/// (the request conflicts with the current state, e.g. ending an ended contract).
/// </summary>
public interface IControllerOperations
{
    Task<FleetView> GetFleetAsync(CancellationToken cancellationToken);

    /// <summary>One miner with its live readings and what it is assigned to; null if unknown.</summary>
    Task<MinerView?> GetMinerAsync(string minerId, CancellationToken cancellationToken);

    Task<CapacityView> GetCapacityAsync(CancellationToken cancellationToken);

    Task<IReadOnlyList<ContractView>> GetContractsAsync(CancellationToken cancellationToken);

    Task<ContractView?> GetContractAsync(string contractId, CancellationToken cancellationToken);

    /// <summary>Validates, refuses beyond free capacity, stores, and allocates at once.</summary>
    Task<ContractView> AddContractAsync(NewContractRequest request, CancellationToken cancellationToken);

    /// <summary>Ends the contract now: its miners go back to the house pool; its ledger stays.</summary>
    Task<ContractView> EndContractAsync(string contractId, CancellationToken cancellationToken);

    Task<AllocationView> GetAllocationAsync(CancellationToken cancellationToken);

    /// <summary>Plans a rebalance from the current fleet; applies (store + publish) only when <paramref name="apply"/>.</summary>
    Task<RebalanceView> RebalanceAsync(bool apply, CancellationToken cancellationToken);

    /// <summary>Takes a miner out of (or back into) allocation for maintenance; its contract is covered elsewhere first.</summary>
    Task<MinerView> SetDrainedAsync(string minerId, bool drained, CancellationToken cancellationToken);

    /// <summary>Hourly ledger rows, all contracts when <paramref name="contractId"/> is null, hours in [from, to).</summary>
    Task<IReadOnlyList<LedgerEntry>> GetLedgerAsync(string? contractId, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken);
}
