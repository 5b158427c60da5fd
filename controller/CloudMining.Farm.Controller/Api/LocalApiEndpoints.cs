using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using CloudMining.Farm.Controller.Operations;
using CloudMining.Farm.Controller.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace CloudMining.Farm.Controller.Api;

/// <summary>The routes of the local API, one per member of <see cref="IControllerOperations"/> (see docs/controller-api.md).</summary>
public static partial class LocalApiEndpoints
{
    /// <summary>How far back `GET /v1/ledger` reads when no `from` is given: everything the store holds.</summary>
    public static readonly DateTimeOffset LedgerBeginning = DateTimeOffset.UnixEpoch;

    /// <summary>Maps every route onto <paramref name="routes"/>.</summary>
    public static void Map(IEndpointRouteBuilder routes, IControllerOperations operations, TimeProvider time, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(routes);
        ArgumentNullException.ThrowIfNull(operations);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        ApiJsonContext json = ApiJsonContext.Default;

        routes.MapGet("/v1/fleet", ctx => Handle(ctx, logger, async ct => Ok(await operations.GetFleetAsync(ct), json.FleetView)));

        routes.MapGet("/v1/miners/{id}", ctx => Handle(ctx, logger, async ct =>
        {
            string id = RouteId(ctx);
            MinerView? miner = await operations.GetMinerAsync(id, ct);
            return miner is null ? Problem(ApiProblems.NotFound($"No miner '{id}' is known to the controller; `farmctl fleet` lists the miners it has heard from.")) : Ok(miner, json.MinerView);
        }));

        routes.MapGet("/v1/capacity", ctx => Handle(ctx, logger, async ct => Ok(await operations.GetCapacityAsync(ct), json.CapacityView)));

        routes.MapGet("/v1/contracts", ctx => Handle(ctx, logger, async ct => Ok(await operations.GetContractsAsync(ct), json.IReadOnlyListContractView)));

        routes.MapGet("/v1/contracts/{id}", ctx => Handle(ctx, logger, async ct =>
        {
            string id = RouteId(ctx);
            ContractView? contract = await operations.GetContractAsync(id, ct);
            return contract is null ? Problem(ApiProblems.NotFound($"No contract '{id}'; `farmctl contracts list` shows the contracts.")) : Ok(contract, json.ContractView);
        }));

        routes.MapPost("/v1/contracts", ctx => Handle(ctx, logger, async ct =>
        {
            NewContractRequest? request = await ReadBodyAsync(ctx, json.NewContractRequest, ct);
            if (request is null)
            {
                return Problem(ApiProblems.Validation("body", "the request body is empty or null; send the contract as JSON (see docs/controller-api.md)."));
            }

            ContractView added = await operations.AddContractAsync(request, ct);
            return Ok(added, json.ContractView, StatusCodes.Status201Created);
        }));

        routes.MapPost("/v1/contracts/{id}/end", ctx => Handle(ctx, logger, async ct => Ok(await operations.EndContractAsync(RouteId(ctx), ct), json.ContractView)));

        routes.MapGet("/v1/allocation", ctx => Handle(ctx, logger, async ct => Ok(await operations.GetAllocationAsync(ct), json.AllocationView)));

        routes.MapPost("/v1/rebalance", ctx => Handle(ctx, logger, async ct =>
        {
            string? text = ctx.Request.Query["apply"];
            bool apply = false;
            if (!string.IsNullOrEmpty(text) && !bool.TryParse(text, out apply))
            {
                return Problem(ApiProblems.Validation("apply", $"'{text}' is not true or false; use ?apply=true to apply the plan or ?apply=false (the default) for a dry run."));
            }

            return Ok(await operations.RebalanceAsync(apply, ct), json.RebalanceView);
        }));

        routes.MapPost("/v1/miners/{id}/drain", ctx => Handle(ctx, logger, async ct => Ok(await operations.SetDrainedAsync(RouteId(ctx), drained: true, ct), json.MinerView)));

        routes.MapPost("/v1/miners/{id}/undrain", ctx => Handle(ctx, logger, async ct => Ok(await operations.SetDrainedAsync(RouteId(ctx), drained: false, ct), json.MinerView)));

        routes.MapGet("/v1/ledger", ctx => Handle(ctx, logger, async ct =>
        {
            string? contract = ctx.Request.Query["contract"];
            if (!TryInstant(ctx, "from", LedgerBeginning, out DateTimeOffset from, out ProblemDocument? problem)
                || !TryInstant(ctx, "to", time.GetUtcNow().AddHours(1), out DateTimeOffset to, out problem))
            {
                return Problem(problem!);
            }

            if (to <= from)
            {
                return Problem(ApiProblems.Validation("to", $"{to:O} is not after from {from:O}; the range is [from, to)."));
            }

            IReadOnlyList<LedgerEntry> rows = await operations.GetLedgerAsync(string.IsNullOrEmpty(contract) ? null : contract, from, to, ct);
            return Ok(rows, json.IReadOnlyListLedgerEntry);
        }));

        if (operations is ICurtailmentOperations curtailment)
        {
            MapCurtailment(routes, curtailment, logger);
        }
    }

    private static string RouteId(HttpContext ctx) => (string)ctx.Request.RouteValues["id"]!;

    private static bool TryInstant(HttpContext ctx, string name, DateTimeOffset fallback, out DateTimeOffset value, out ProblemDocument? problem)
    {
        problem = null;
        string? text = ctx.Request.Query[name];
        if (string.IsNullOrEmpty(text))
        {
            value = fallback;
            return true;
        }

        // A bare date or a local time without offset is read as UTC: the ledger's hours are UTC hours.
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out value))
        {
            return true;
        }

        problem = ApiProblems.Validation(name, $"'{text}' is not an ISO 8601 date or time; use e.g. 2026-11-01 or 2026-11-01T13:00:00Z.");
        return false;
    }

    private static async Task<T?> ReadBodyAsync<T>(HttpContext ctx, JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        if (ctx.Request.ContentLength == 0)
        {
            return default;
        }

        return await JsonSerializer.DeserializeAsync(ctx.Request.Body, type, cancellationToken);
    }

    private static IResult Ok<T>(T value, JsonTypeInfo<T> type, int status = StatusCodes.Status200OK) =>
        Results.Json(value, type, statusCode: status);

    private static IResult Problem(ProblemDocument problem) =>
        Results.Json(problem, ApiJsonContext.Default.ProblemDocument, ProblemDocument.MediaType, problem.Status);

    /// <summary>Runs one operation and turns its documented failures into problem+json; anything else is a 500 that is logged.</summary>
    private static async Task Handle(HttpContext ctx, ILogger logger, Func<CancellationToken, Task<IResult>> operation)
    {
        IResult result;
        string instance = ctx.Request.Path + ctx.Request.QueryString;
        try
        {
            result = await operation(ctx.RequestAborted);
            if (result is IValueHttpResult { Value: ProblemDocument { Instance: null } problem })
            {
                // Problems found by the route itself (bad query, unknown id) name the request like the engine's do.
                result = Problem(problem with { Instance = instance });
            }
        }
        catch (OperationCanceledException) when (ctx.RequestAborted.IsCancellationRequested)
        {
            return;
        }
        catch (Exception e) when (ApiProblems.FromException(e, instance) is { } problem)
        {
            result = Problem(problem);
        }
        catch (Exception e)
        {
            LogFailed(logger, e, ctx.Request.Method, instance);
            result = Problem(new ProblemDocument(
                "urn:cloudmining-farm:problem:internal",
                "Internal error",
                StatusCodes.Status500InternalServerError,
                $"The controller failed while handling {ctx.Request.Method} {instance}: {e.Message}. See the farm-controller log.",
                instance));
        }

        if (ctx.Request.Method != HttpMethods.Get)
        {
            // Changes made through the API belong in the service log: who sold, ended or drained what, and when.
            int status = (result as IStatusCodeHttpResult)?.StatusCode ?? StatusCodes.Status200OK;
            LogAnswered(logger, ctx.Request.Method, instance, status);
        }

        await result.ExecuteAsync(ctx);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Local API {Method} {Path} failed")]
    private static partial void LogFailed(ILogger logger, Exception exception, string method, string path);

    [LoggerMessage(Level = LogLevel.Information, Message = "Local API {Method} {Path} answered {Status}")]
    private static partial void LogAnswered(ILogger logger, string method, string path, int status);
}
