namespace CloudMining.Farm.Controller.Contracts;

/// <summary>What the customer pays besides the contract price: a maintenance fee per TH/s per day, and electricity at cost.</summary>
public sealed record FeeTerms
{
    private FeeTerms(decimal maintenancePerTerahashDay, bool electricityAtCost)
    {
        MaintenancePerTerahashDay = maintenancePerTerahashDay;
        ElectricityAtCost = electricityAtCost;
    }

    /// <summary>Maintenance fee, in the settlement currency, per TH/s of target hashrate per day.</summary>
    public decimal MaintenancePerTerahashDay { get; }

    /// <summary>When true the customer is billed the measured energy of their miners at the operator's cost price, with no markup.</summary>
    public bool ElectricityAtCost { get; }

    /// <summary>Builds fee terms; throws naming "fees.maintenancePerTerahashDay" for a negative fee.</summary>
    public static FeeTerms Create(decimal maintenancePerTerahashDay, bool electricityAtCost) =>
        maintenancePerTerahashDay >= 0
            ? new FeeTerms(maintenancePerTerahashDay, electricityAtCost)
            : throw new ContractValidationException("fees.maintenancePerTerahashDay", $"{maintenancePerTerahashDay} is negative; a fee must be zero or more.");
}
