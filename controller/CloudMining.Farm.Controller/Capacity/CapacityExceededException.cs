using CloudMining.Farm.Shared.Units;

namespace CloudMining.Farm.Controller.Capacity;

/// <summary>Refusal to sell more units than measured capacity allows; carries how much is still free.</summary>
public sealed class CapacityExceededException : Exception
{
    public CapacityExceededException(long unitsRequested, long unitsFree, Hashrate unitSize)
        : base(
            $"Cannot sell {unitsRequested} unit(s) ({(unitSize * unitsRequested).Format(HashrateUnit.TH)}): only {unitsFree} unit(s) " +
            $"({(unitSize * unitsFree).Format(HashrateUnit.TH)}) of {unitSize.Format(HashrateUnit.TH)} are free. " +
            "Sell at most the free amount, or add or repair miners first.")
    {
        UnitsRequested = unitsRequested;
        UnitsFree = unitsFree;
        FreeHashrate = unitSize * unitsFree;
    }

    public CapacityExceededException()
    {
    }

    public CapacityExceededException(string message)
        : base(message)
    {
    }

    public CapacityExceededException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public long UnitsRequested { get; }

    public long UnitsFree { get; }

    public Hashrate FreeHashrate { get; }
}
