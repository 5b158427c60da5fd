using CloudMining.Farm.ControlApi;
using CloudMining.Farm.Controller.Contracts;

namespace CloudMining.Farm.Controller.PoolSide;

/// <summary>Turns the API's <see cref="PoolWatchRequest"/> into a validated <see cref="PoolWatch"/> for a contract's worker.</summary>
public static class PoolWatchRequests
{
    /// <summary>Null for no request; throws <see cref="ContractValidationException"/> naming the poolWatch field at fault.</summary>
    public static PoolWatch? From(PoolWatchRequest? request, string worker)
    {
        if (request is null)
        {
            return null;
        }

        PoolApiKind kind = request.Kind?.Trim().ToLowerInvariant() switch
        {
            "braiins" => PoolApiKind.Braiins,
            "f2pool" => PoolApiKind.F2Pool,
            "hashrate-only" => PoolApiKind.HashrateOnly,
            _ => throw new ContractValidationException("poolWatch.kind", $"'{request.Kind}' is not a pool API this controller reads; use braiins, f2pool or hashrate-only."),
        };
        return PoolWatch.Create(kind, request.ApiUrl, worker, PoolSecret.Of(request.Key), request.Account);
    }
}
