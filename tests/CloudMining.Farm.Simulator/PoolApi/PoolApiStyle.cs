namespace CloudMining.Farm.Simulator.PoolApi;

/// <summary>Which real pool API a simulated pool answers like.</summary>
public enum PoolApiStyle
{
    /// <summary>Braiins Pool: GET /accounts/workers/json/btc/ with a Pool-Auth-Token header.</summary>
    Braiins = 0,

    /// <summary>F2Pool API v2: POST /v2/hash_rate/worker/list and /v2/hash_rate/worker/history with an F2P-API-SECRET header.</summary>
    F2Pool = 1,

    /// <summary>A pool that only gives one hashrate number per worker: GET /hashrate/{worker} with a bearer token.</summary>
    HashrateOnly = 2,
}
