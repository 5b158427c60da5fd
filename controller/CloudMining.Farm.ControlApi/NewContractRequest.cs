namespace CloudMining.Farm.ControlApi;

/// <summary>
/// Input of `farmctl contracts add`: the hashrate as text ("100 TH/s"); no End means open-ended. No
/// CurtailAllowanceHours means protected (never curtailed); with it, curtailable for that many hours per
/// CurtailPeriod ("day", "week" or "month", default "month"). Optional: the customer's read-only pool key for
/// pool-side verification, and settlement terms (else the controller's defaults).
/// </summary>
public sealed record NewContractRequest(
    string Id,
    string Customer,
    string Hashrate,
    string PoolUrl,
    string Worker,
    DateTimeOffset? Start,
    DateTimeOffset? End,
    int? NegativeMarginDays,
    decimal MaintenancePerTerahashDay,
    bool ElectricityAtCost,
    double? CurtailAllowanceHours = null,
    string? CurtailPeriod = null,
    PoolWatchRequest? PoolWatch = null,
    SettlementTermsRequest? Settlement = null)
{
    /// <summary>Never prints the pool key.</summary>
    public override string ToString() => $"contract {Id} for {Customer}: {Hashrate} to {Worker} at {PoolUrl}{(PoolWatch is null ? string.Empty : ", pool-side check " + PoolWatch)}";
}
