using CloudMining.Farm.Controller.Contracts;

namespace CloudMining.Farm.Controller.PoolSide;

/// <summary>
/// How the controller reads a contract's pool account from the pool's side: which API, where, the account and worker,
/// and the customer's read-only key (a <see cref="PoolSecret"/>, which prints as "(secret)").
/// </summary>
public sealed record PoolWatch
{
    private PoolWatch(PoolApiKind kind, Uri apiUrl, string account, string worker, PoolSecret key)
    {
        Kind = kind;
        ApiUrl = apiUrl;
        Account = account;
        Worker = worker;
        Key = key;
    }

    public PoolApiKind Kind { get; }

    /// <summary>Base URL of the pool's API, e.g. https://pool.braiins.com/ or https://api.f2pool.com/.</summary>
    public Uri ApiUrl { get; }

    /// <summary>The pool account (Braiins username, F2Pool mining user name): the worker name's part before the first dot unless given.</summary>
    public string Account { get; }

    /// <summary>The full worker name the contract mines to, e.g. "alice.rig7".</summary>
    public string Worker { get; }

    public PoolSecret Key { get; }

    /// <summary>The worker name without the account, e.g. "rig7" (F2Pool lists workers by this part).</summary>
    public string WorkerPart => Worker.StartsWith(Account + ".", StringComparison.Ordinal) ? Worker[(Account.Length + 1)..] : Worker;

    /// <summary>Validates and builds a watch; throws <see cref="ContractValidationException"/> naming the poolWatch field at fault.</summary>
    public static PoolWatch Create(PoolApiKind kind, string? apiUrl, string? worker, PoolSecret key, string? account = null)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (!Enum.IsDefined(kind))
        {
            throw new ContractValidationException("poolWatch.kind", $"{kind} is not a pool API; use braiins, f2pool or hashrate-only.");
        }

        if (!Uri.TryCreate(apiUrl, UriKind.Absolute, out Uri? url) || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp))
        {
            throw new ContractValidationException("poolWatch.apiUrl", $"'{apiUrl}' is not an http(s) URL; give the pool API's base address such as https://pool.braiins.com/.");
        }

        if (url.Scheme == Uri.UriSchemeHttp && !url.IsLoopback)
        {
            // The key travels in a header: over plain HTTP anyone on the path could read it.
            throw new ContractValidationException("poolWatch.apiUrl", $"'{apiUrl}' is plain http to another machine; the key would travel readable. Use https.");
        }

        if (string.IsNullOrWhiteSpace(worker))
        {
            throw new ContractValidationException("poolWatch.worker", "is empty; give the worker name the contract mines to, e.g. 'alice.rig7'.");
        }

        string acct = string.IsNullOrWhiteSpace(account) ? worker.Split('.', 2)[0] : account.Trim();
        string basePath = url.AbsoluteUri.EndsWith('/') ? url.AbsoluteUri : url.AbsoluteUri + "/";
        return new PoolWatch(kind, new Uri(basePath), acct, worker.Trim(), key);
    }
}
