using CloudMining.Farm.Shared.Units;

namespace CloudMining.Farm.Controller.Contracts;

/// <summary>The hashrate a contract may be sold for: a finite, positive figure no larger than <see cref="Max"/>.</summary>
public static class ContractTarget
{
    /// <summary>
    /// 1,000 EH/s (1 ZH/s), about the whole Bitcoin network: no farm sells more, and every target at or below it stays
    /// exact enough in capacity and allocation arithmetic. Above it is a typing or unit error, refused before capacity is asked.
    /// </summary>
    public static readonly Hashrate Max = Hashrate.From(1000, HashrateUnit.EH);

    /// <summary>Parses a target such as "100 TH/s"; throws <see cref="ContractValidationException"/> on <paramref name="field"/> saying what is wrong.</summary>
    public static Hashrate Parse(string? text, string field = "hashrate")
    {
        if (!Hashrate.TryParseParts(text, out double value, out HashrateUnit unit))
        {
            throw new ContractValidationException(field, $"'{text}' is not a hashrate; write it like '100 TH/s' or '250T'.");
        }

        if (!double.IsFinite(value))
        {
            throw new ContractValidationException(field, $"'{text}' is not a finite number; write the hashrate sold like '100 TH/s'.");
        }

        if (!(value > 0))
        {
            throw new ContractValidationException(field, $"'{text}' must be a positive hashrate such as '100 TH/s'.");
        }

        double hs = value * Hashrate.Factor(unit);
        if (!double.IsFinite(hs) || hs > Max.HashesPerSecond)
        {
            throw new ContractValidationException(field, $"'{text}' is above the ceiling of {Max.Format(HashrateUnit.EH, 0)} (about the whole Bitcoin network); check the number and the unit.");
        }

        return new Hashrate(hs);
    }
}
