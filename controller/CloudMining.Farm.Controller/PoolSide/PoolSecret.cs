namespace CloudMining.Farm.Controller.PoolSide;

/// <summary>
/// A pool's read-only key or watcher token, kept like a password: it prints as "(secret)", has no JSON shape, and only
/// the pool adapters read its value to put it in a request header.
/// </summary>
public sealed class PoolSecret
{
    private readonly string _value;

    private PoolSecret(string value) => _value = value;

    /// <summary>Wraps a key; throws naming "poolWatch.key" when it is empty or has characters no HTTP header can carry.</summary>
    public static PoolSecret Of(string? key)
    {
        if (string.IsNullOrWhiteSpace(key))
        {
            throw new Contracts.ContractValidationException("poolWatch.key", "is empty; paste the pool's read-only API key or watcher token.");
        }

        string trimmed = key.Trim();
        if (trimmed.Any(c => c < 0x21 || c > 0x7e))
        {
            throw new Contracts.ContractValidationException("poolWatch.key", "contains spaces or characters outside printable ASCII; copy the key again from the pool's settings page.");
        }

        return new PoolSecret(trimmed);
    }

    /// <summary>The key itself, for the request header only. Never log, store in a view or serialise it.</summary>
    internal string Reveal() => _value;

    /// <summary>Removes the key from text a pool sent back (some APIs echo what they were given).</summary>
    internal string Scrub(string text) => text.Replace(_value, "(secret)", StringComparison.Ordinal);

    public override string ToString() => "(secret)";
}
