using System.Net;

namespace CloudMining.Farm.Simulator.Cli;

/// <summary>What the command line asked for, or the problem with it.</summary>
internal sealed record SimSettings(FarmOptions Farm, IPEndPoint? Control, string? ManifestPath, string? Problem = null)
{
    /// <summary>Where the simulated pools' web APIs listen (--pool-api); null: not served.</summary>
    public IPEndPoint? PoolApi { get; init; }

    /// <summary>The read-only keys the pool APIs accept (--pool-api-key STYLE:ACCOUNT:KEY).</summary>
    public IReadOnlyList<PoolApi.PoolApiAccount> PoolApiAccounts { get; init; } = [];
}
