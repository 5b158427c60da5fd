namespace CloudMining.Farm.Simulator.PoolApi;

/// <summary>
/// The request spacing each simulated pool API enforces per key, never looser than the real pool's published limit
/// (docs/pool-apis.md): Braiins Pool documents about one request per five seconds; F2Pool's v2 documentation we read
/// names no figure, so the simulator takes one per second, what public F2Pool clients space their calls by.
/// </summary>
public static class PoolApiLimits
{
    public static readonly TimeSpan Braiins = TimeSpan.FromSeconds(5);

    public static readonly TimeSpan F2Pool = TimeSpan.FromSeconds(1);

    public static readonly TimeSpan HashrateOnly = TimeSpan.FromSeconds(5);

    public static TimeSpan For(PoolApiStyle style) => style switch
    {
        PoolApiStyle.Braiins => Braiins,
        PoolApiStyle.F2Pool => F2Pool,
        _ => HashrateOnly,
    };
}
