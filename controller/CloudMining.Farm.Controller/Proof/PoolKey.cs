namespace CloudMining.Farm.Controller.Proof;

/// <summary>A pool account as a comparable key: URL (scheme, host, port; case-insensitive, no trailing slash) and worker.</summary>
public readonly record struct PoolKey
{
    private PoolKey(string url, string user)
    {
        Url = url;
        User = user;
    }

    public string Url { get; }

    public string User { get; }

    /// <summary>Normalises a URL and worker as firmwares report them, so "stratum+tcp://Pool:3333/" matches "stratum+tcp://pool:3333".</summary>
    public static PoolKey Of(string url, string? user)
    {
        ArgumentNullException.ThrowIfNull(url);
        return new PoolKey(url.Trim().TrimEnd('/').ToLowerInvariant(), (user ?? string.Empty).Trim().ToLowerInvariant());
    }

    public override string ToString() => $"{Url} ({User})";
}
