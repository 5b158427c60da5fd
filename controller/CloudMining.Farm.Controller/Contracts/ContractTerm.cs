namespace CloudMining.Farm.Controller.Contracts;

/// <summary>When a contract runs: fixed start and end, or open-ended until N days of negative margin.</summary>
public sealed record ContractTerm
{
    private ContractTerm(ContractTermKind kind, DateTimeOffset start, DateTimeOffset? end, int? negativeMarginDays)
    {
        Kind = kind;
        Start = start;
        End = end;
        NegativeMarginDays = negativeMarginDays;
    }

    public ContractTermKind Kind { get; }

    public DateTimeOffset Start { get; }

    /// <summary>End instant of a fixed-term contract; null when open-ended.</summary>
    public DateTimeOffset? End { get; }

    /// <summary>Consecutive days of negative mining margin after which an open-ended contract terminates; null when fixed-term.</summary>
    public int? NegativeMarginDays { get; }

    /// <summary>A contract running from <paramref name="start"/> to <paramref name="end"/>; throws naming "term.end" when the end is not after the start.</summary>
    public static ContractTerm Fixed(DateTimeOffset start, DateTimeOffset end) =>
        end > start
            ? new ContractTerm(ContractTermKind.FixedTerm, start.ToUniversalTime(), end.ToUniversalTime(), null)
            : throw new ContractValidationException("term.end", $"{end:O} is not after the start {start:O}; a fixed-term contract needs an end later than its start.");

    /// <summary>An open-ended contract; throws naming "term.negativeMarginDays" unless the day count is 1..365.</summary>
    public static ContractTerm OpenEnded(DateTimeOffset start, int negativeMarginDays) =>
        negativeMarginDays is >= 1 and <= 365
            ? new ContractTerm(ContractTermKind.OpenEnded, start.ToUniversalTime(), null, negativeMarginDays)
            : throw new ContractValidationException("term.negativeMarginDays", $"{negativeMarginDays} must be between 1 and 365 days.");

    /// <summary>Whether the term covers the instant (open-ended terms are active from their start on; termination is decided elsewhere).</summary>
    public bool IsActiveAt(DateTimeOffset instant) => instant >= Start && (End is null || instant < End.Value);
}
