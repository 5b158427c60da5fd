using CloudMining.Farm.Controller.PoolSide;
using CloudMining.Farm.Controller.Settlement;
using CloudMining.Farm.Controller.Store;

namespace CloudMining.Farm.Controller.Proof;

/// <summary>
/// Where a contract's proof is read from besides the ledger: the miners of each hour (<see cref="Recorder"/>), the
/// pool's own hourly figures and watch, and the closed settlements — each optional, as the store provides them.
/// </summary>
public sealed class ContractProofReader
{
    private readonly IPoolSideStore? _poolSide;
    private readonly ISettlementStore? _settlements;

    public ContractProofReader(IControllerStore? store)
    {
        _poolSide = store as IPoolSideStore;
        _settlements = store as ISettlementStore;
        Recorder = new MinerHourRecorder(store as IMinerHourStore);
    }

    /// <summary>The record of which miners served each contract-hour, fed by the engine's tick.</summary>
    public MinerHourRecorder Recorder { get; }

    public async Task<IReadOnlyList<PoolSideHour>> PoolHoursAsync(string contractId, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken) =>
        _poolSide is null ? [] : await _poolSide.GetPoolSideHoursAsync(contractId, from, to, cancellationToken);

    /// <summary>The pool API a contract's pool watch reads, by its wire name; null without a watch. The key is not read out.</summary>
    public async Task<string?> PoolWatchKindAsync(string contractId, CancellationToken cancellationToken) =>
        _poolSide is not null && (await _poolSide.GetPoolWatchesAsync(cancellationToken)).TryGetValue(contractId, out PoolWatch? watch)
            ? KindName(watch.Kind)
            : null;

    /// <summary>The wire name of a pool API, as requests give it (braiins, f2pool, hashrate-only).</summary>
    public static string KindName(PoolApiKind kind) => kind switch
    {
        PoolApiKind.Braiins => "braiins",
        PoolApiKind.F2Pool => "f2pool",
        _ => "hashrate-only",
    };

    public async Task<IReadOnlyList<ContractSettlement>> SettlementsAsync(string? contractId, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken) =>
        _settlements is null ? [] : await _settlements.GetSettlementsAsync(contractId, from, to, cancellationToken);
}
