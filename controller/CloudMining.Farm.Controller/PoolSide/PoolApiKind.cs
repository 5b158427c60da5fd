namespace CloudMining.Farm.Controller.PoolSide;

/// <summary>Which pool API a contract's watcher key reads (docs/pool-apis.md).</summary>
public enum PoolApiKind
{
    /// <summary>Braiins Pool's workers API (access-profile token, read-only).</summary>
    Braiins = 0,

    /// <summary>F2Pool's API v2 worker list and history (API secret of a read-only page).</summary>
    F2Pool = 1,

    /// <summary>A pool that gives one hashrate number per worker behind a bearer key.</summary>
    HashrateOnly = 2,
}
