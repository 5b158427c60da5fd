namespace CloudMining.Farm.ControlApi;

/// <summary>
/// The customer's read-only pool key for a new contract: Kind "braiins", "f2pool" or "hashrate-only", the pool API's
/// base URL, the key (kept like a password: stored, never shown, logged or published) and the account when it is not
/// the worker name's part before the dot.
/// </summary>
public sealed record PoolWatchRequest(string Kind, string ApiUrl, string Key, string? Account = null)
{
    /// <summary>Never prints the key.</summary>
    public override string ToString() => $"{Kind} at {ApiUrl} (key hidden)";
}
