namespace CloudMining.Farm.Controller.Ledger;

/// <summary>
/// Where curtailment survives a restart (store migration 8; curtailed hours per row, migration 11): the hourly
/// curtailment ledger (<c>curtailment_ledger</c>), its open hours (<c>curtailment_ledger_open</c>) and the operator's
/// curtailment signals (<c>curtailment_signals</c>).
/// </summary>
public interface ICurtailmentStore
{
    Task<IReadOnlyList<CurtailmentLedgerRow>> LoadOpenCurtailmentAsync(CancellationToken cancellationToken);

    /// <summary>Stores the closed hours and replaces the open ones, in one transaction.</summary>
    Task CloseCurtailmentHoursAsync(IReadOnlyList<CurtailmentLedgerRow> completed, IReadOnlyList<CurtailmentLedgerRow> stillOpen, CancellationToken cancellationToken);

    /// <summary>Closed rows of <paramref name="assignee"/> with <paramref name="from"/> ≤ hour &lt; <paramref name="to"/>, oldest first.</summary>
    Task<IReadOnlyList<CurtailmentLedgerRow>> GetCurtailmentLedgerAsync(string assignee, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken);

    /// <summary>Closed rows with curtailed hours (the contracts' allowance use) from <paramref name="from"/> on, the house's left out.</summary>
    Task<IReadOnlyList<CurtailmentLedgerRow>> GetCurtailedHoursSinceAsync(DateTimeOffset from, CancellationToken cancellationToken);

    /// <summary>The operator's signals as JSON (null: none), kept so that a restart keeps them.</summary>
    Task<string?> GetOperatorSignalsAsync(CancellationToken cancellationToken);

    Task SetOperatorSignalsAsync(string? json, CancellationToken cancellationToken);
}
