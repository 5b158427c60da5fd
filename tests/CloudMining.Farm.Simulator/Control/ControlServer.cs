using System.Net;
using CloudMining.Farm.Simulator.Faults;
using CloudMining.Farm.Simulator.Mining;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CloudMining.Farm.Simulator.Control;

/// <summary>The simulator's small HTTP control API on loopback: list miners and pools, inject faults, switch power, take pools down.</summary>
public sealed class ControlServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ControlServer(WebApplication app, Uri url)
    {
        _app = app;
        Url = url;
    }

    public Uri Url { get; }

    public static async Task<ControlServer> StartAsync(SimulatedFarm farm, IPEndPoint endPoint, ILoggerProvider? logs = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(farm);
        ArgumentNullException.ThrowIfNull(endPoint);
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        if (logs is not null)
        {
            builder.Logging.AddProvider(logs);
        }

        builder.WebHost.UseKestrel(k => k.Listen(endPoint));
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, ControlJsonContext.Default));
        WebApplication app = builder.Build();
        Map(app, farm);
        await app.StartAsync(cancellationToken);
        string address = app.Urls.FirstOrDefault() ?? $"http://{endPoint}";
        return new ControlServer(app, new Uri(address));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static void Map(IEndpointRouteBuilder app, SimulatedFarm farm)
    {
        app.MapGet("/miners", () => Results.Ok(farm.Miners.Select(MinerInfo.From).ToList()));

        app.MapGet("/miners/{id}", (string id) =>
            farm.TryGet(id, out SimulatedMiner? m) ? Results.Ok(MinerInfo.From(m!)) : NotFound(id, farm));

        app.MapPost("/miners/{id}/fault", (string id, FaultRequest request) =>
        {
            if (!farm.TryGet(id, out SimulatedMiner? m))
            {
                return NotFound(id, farm);
            }

            if (!FaultNames.TryParse(request.Kind, out FaultKind kind))
            {
                return Results.BadRequest(new ControlError(
                    $"Unknown fault kind '{request.Kind}'; use one of: {string.Join(", ", FaultNames.All)} (or DELETE /miners/{id}/fault to clear)."));
            }

            if (kind == FaultKind.Slow && request.DelayMs is null)
            {
                return Results.BadRequest(new ControlError("A 'slow' fault needs \"delayMs\": the reply delay in milliseconds."));
            }

            if (kind == FaultKind.HashrateDrop && request.Percent is null)
            {
                return Results.BadRequest(new ControlError("A 'hashrate-drop' fault needs \"percent\": the hashrate left, 0 to 100."));
            }

            try
            {
                m!.InjectFault(new MinerFault(kind, request.DelayMs ?? 0, request.Percent ?? 100, request.Board ?? 0));
            }
            catch (ArgumentOutOfRangeException ex)
            {
                return Results.BadRequest(new ControlError(ex.Message));
            }

            return Results.Ok(MinerInfo.From(m));
        });

        app.MapDelete("/miners/{id}/fault", (string id) =>
        {
            if (!farm.TryGet(id, out SimulatedMiner? m))
            {
                return NotFound(id, farm);
            }

            m!.ClearFaults();
            return Results.Ok(MinerInfo.From(m));
        });

        app.MapPost("/miners/{id}/power", (string id, PowerRequest request) =>
        {
            if (!farm.TryGet(id, out SimulatedMiner? m))
            {
                return NotFound(id, farm);
            }

            m!.SetPower(request.On);
            return Results.Ok(MinerInfo.From(m));
        });

        app.MapPost("/miners/{id}/ambient", (string id, AmbientRequest request) =>
        {
            if (!farm.TryGet(id, out SimulatedMiner? m))
            {
                return NotFound(id, farm);
            }

            try
            {
                m!.AmbientCelsius = request.Celsius;
            }
            catch (ArgumentOutOfRangeException ex)
            {
                return Results.BadRequest(new ControlError(ex.Message));
            }

            return Results.Ok(MinerInfo.From(m));
        });

        app.MapGet("/pools", () => Results.Ok(farm.PoolView().ToList()));

        app.MapPost("/pools/difficulty", (PoolDifficultyRequest request) => SetDifficulty(farm, request));

        app.MapPost("/pools/alive", (PoolAliveRequest request) =>
        {
            if (string.IsNullOrWhiteSpace(request.Url))
            {
                return Results.BadRequest(new ControlError("Give the pool's stratum URL in \"url\", as the miners have it configured."));
            }

            farm.SetPoolAlive(request.Url, request.Alive);
            return Results.Ok(farm.PoolView().ToList());
        });
    }

    private static IResult SetDifficulty(SimulatedFarm farm, PoolDifficultyRequest request)
    {
        if (string.IsNullOrWhiteSpace(request.Url))
        {
            return Results.BadRequest(new ControlError("Give the pool's stratum URL in \"url\", as the miners have it configured."));
        }

        try
        {
            // Shares found so far are credited at the old difficulty before the new one applies.
            farm.SetPoolDifficulty(request.Url, request.Difficulty);
        }
        catch (ArgumentOutOfRangeException ex)
        {
            return Results.BadRequest(new ControlError(ex.Message));
        }

        return Results.Ok(farm.PoolView().ToList());
    }

    private static IResult NotFound(string id, SimulatedFarm farm) =>
        Results.NotFound(new ControlError($"No simulated miner '{id}'; GET /miners lists the {farm.Miners.Count} there are."));
}
