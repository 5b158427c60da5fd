namespace CloudMining.Farm.Controller.PoolSide;

/// <summary>Where the pool-side verification keeps contracts' watches (with their keys), the pool's hourly figures and the discrepancies raised.</summary>
public interface IPoolSideStore
{
    /// <summary>Every contract's pool watch, by contract id.</summary>
    Task<IReadOnlyDictionary<string, PoolWatch>> GetPoolWatchesAsync(CancellationToken cancellationToken);

    /// <summary>Sets a contract's watch, or removes it when <paramref name="watch"/> is null.</summary>
    Task SetPoolWatchAsync(string contractId, PoolWatch? watch, CancellationToken cancellationToken);

    /// <summary>Writes (replacing) the pool's TH·h per contract and hour.</summary>
    Task SavePoolSideHoursAsync(IReadOnlyList<PoolSideHour> hours, CancellationToken cancellationToken);

    /// <summary>The pool's TH·h of a contract with <paramref name="from"/> ≤ hour &lt; <paramref name="to"/>, oldest first.</summary>
    Task<IReadOnlyList<PoolSideHour>> GetPoolSideHoursAsync(string contractId, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken);

    Task RecordDiscrepancyAsync(PoolDiscrepancy discrepancy, CancellationToken cancellationToken);

    /// <summary>Discrepancies raised for a contract, oldest first.</summary>
    Task<IReadOnlyList<PoolDiscrepancy>> GetDiscrepanciesAsync(string contractId, CancellationToken cancellationToken);
}
