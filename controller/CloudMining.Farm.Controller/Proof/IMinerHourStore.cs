namespace CloudMining.Farm.Controller.Proof;

/// <summary>Where the miners that served each contract-hour are kept (the proof's "which miners, what share").</summary>
public interface IMinerHourStore
{
    /// <summary>Adds <paramref name="rows"/> in one transaction: a row for an existing (contract, hour, miner) adds to it.</summary>
    Task AddMinerHoursAsync(IReadOnlyList<MinerHour> rows, CancellationToken cancellationToken);

    /// <summary>Rows of a contract with <paramref name="from"/> ≤ hour &lt; <paramref name="to"/>, by hour then miner.</summary>
    Task<IReadOnlyList<MinerHour>> GetMinerHoursAsync(string contractId, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken);
}
