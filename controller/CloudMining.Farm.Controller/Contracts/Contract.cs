using CloudMining.Farm.Shared.Units;

namespace CloudMining.Farm.Controller.Contracts;

/// <summary>A sold hashrate contract: who bought how much, where it must be pointed, for how long and at what fees.</summary>
public sealed record Contract
{
    /// <summary>Longest contract id accepted; ids travel in MQTT topics and pool worker suffixes.</summary>
    public const int MaxIdLength = 64;

    private Contract(string id, string customer, Hashrate target, PoolAccount pool, ContractTerm term, FeeTerms fees, CurtailmentTerms curtailment)
    {
        Curtailment = curtailment;
        Id = id;
        Customer = customer;
        Target = target;
        Pool = pool;
        Term = term;
        Fees = fees;
    }

    /// <summary>Stable id, [A-Za-z0-9._-], at most 64 characters.</summary>
    public string Id { get; }

    public string Customer { get; }

    /// <summary>The hashrate sold, which the allocator must cover from measured hashrate.</summary>
    public Hashrate Target { get; }

    /// <summary>The customer's own pool and worker, so the customer can see the hashrate on the pool's dashboard.</summary>
    public PoolAccount Pool { get; }

    public ContractTerm Term { get; }

    public FeeTerms Fees { get; }

    /// <summary>Whether and how much the operator may curtail it; <see cref="CurtailmentTerms.Protected"/> unless sold curtailable.</summary>
    public CurtailmentTerms Curtailment { get; }

    /// <summary>Validates every field and builds a contract; throws <see cref="ContractValidationException"/> naming the first bad field.</summary>
    public static Contract Create(string? id, string? customer, Hashrate target, PoolAccount pool, ContractTerm term, FeeTerms fees, CurtailmentTerms? curtailment = null)
    {
        ArgumentNullException.ThrowIfNull(pool);
        ArgumentNullException.ThrowIfNull(term);
        ArgumentNullException.ThrowIfNull(fees);
        ValidateId(id, "id");
        if (string.Equals(id, HousePool.AssigneeId, StringComparison.OrdinalIgnoreCase))
        {
            throw new ContractValidationException("id", $"'{id}' is reserved for the operator's own pool; choose another id.");
        }

        if (string.IsNullOrWhiteSpace(customer))
        {
            throw new ContractValidationException("customer", "is empty; name the customer account the contract belongs to.");
        }

        // The ceiling (ContractTarget.Max) is checked where an operator types a target; here only what arithmetic needs.
        if (!(target.HashesPerSecond > 0))
        {
            throw new ContractValidationException("target", $"{target} must be a positive hashrate such as '100 TH/s'.");
        }

        return new Contract(id!, customer.Trim(), target, pool, term, fees, curtailment ?? CurtailmentTerms.Protected);
    }

    /// <summary>Checks an id against the charset and length rule shared by contracts and miners in topics.</summary>
    internal static void ValidateId(string? id, string field)
    {
        if (string.IsNullOrEmpty(id))
        {
            throw new ContractValidationException(field, "is empty; give an id made of letters, digits, '.', '_' or '-'.");
        }

        if (id.Length > MaxIdLength)
        {
            throw new ContractValidationException(field, $"is {id.Length} characters long; at most {MaxIdLength} are allowed.");
        }

        foreach (char c in id)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
            {
                throw new ContractValidationException(field, $"'{id}' contains '{c}'; only letters A-Z a-z, digits, '.', '_' and '-' are allowed.");
            }
        }
    }
}
