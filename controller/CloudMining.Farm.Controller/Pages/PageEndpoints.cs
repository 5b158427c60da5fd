using CloudMining.Farm.Controller.Operations;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace CloudMining.Farm.Controller.Pages;

/// <summary>
/// The controller's two web pages on the local API's listener: <c>/dashboard?key=</c> (the operator's, its token from
/// `farmctl dashboard`) and <c>/proof/{contract}?key=</c> (the customer's, its token from `farmctl contracts link`).
/// They need no bearer header (a browser sends none) but their read-only link token: no token is 401, a token that is not
/// the page's is 404 (so a guess does not learn whether the contract exists). Answers are never cached and allow no
/// script, frame or external resource.
/// </summary>
public static partial class PageEndpoints
{
    private const string Policy = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

    public static void Map(IEndpointRouteBuilder routes, IControllerOperations operations, IProofOperations? proof, PageLinkKey links, TimeProvider time, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(routes);
        ArgumentNullException.ThrowIfNull(operations);
        ArgumentNullException.ThrowIfNull(links);
        ArgumentNullException.ThrowIfNull(time);

        routes.MapGet("/dashboard", ctx => ServeAsync(ctx, logger, async ct =>
        {
            string? key = ctx.Request.Query[PageLinks.KeyParameter];
            if (string.IsNullOrEmpty(key))
            {
                return Refused(StatusCodes.Status401Unauthorized, "This page needs its link: run `farmctl dashboard` for it.");
            }

            if (!links.MatchesDashboard(key))
            {
                return Refused(StatusCodes.Status404NotFound, "No such page.");
            }

            FleetView fleet = await operations.GetFleetAsync(ct);
            CapacityView capacity = await operations.GetCapacityAsync(ct);
            AllocationView allocation = await operations.GetAllocationAsync(ct);
            return Results.Content(DashboardPage.Render(fleet, capacity, allocation, time.GetUtcNow()), "text/html; charset=utf-8");
        })).AllowAnonymous();

        routes.MapGet("/proof/{id}", ctx => ServeAsync(ctx, logger, async ct =>
        {
            string id = (string)ctx.Request.RouteValues["id"]!;
            string? key = ctx.Request.Query[PageLinks.KeyParameter];
            if (string.IsNullOrEmpty(key))
            {
                return Refused(StatusCodes.Status401Unauthorized, "This page needs the contract's link, with its key; ask the farm operator for it.");
            }

            if (proof is null || !links.MatchesContract(id, key) || await operations.GetContractAsync(id, ct) is null)
            {
                return Refused(StatusCodes.Status404NotFound, "No such page.");
            }

            DateTimeOffset now = time.GetUtcNow();
            DateTimeOffset to = Ledger.HourlyLedger.HourOf(now).AddHours(1);
            ContractProofView view = await proof.GetContractProofAsync(id, to.AddDays(-Api.LocalApiEndpoints.ProofDefaultDays), to, ct);
            return Results.Content(ProofPage.Render(view, now), "text/html; charset=utf-8");
        })).AllowAnonymous();
    }

    private static IResult Refused(int status, string message) =>
        Results.Content(Html.Page("Not available", $"<h1>{status}</h1><p>{Html.E(message)}</p>"), "text/html; charset=utf-8", statusCode: status);

    private static async Task ServeAsync(HttpContext ctx, ILogger logger, Func<CancellationToken, Task<IResult>> page)
    {
        ctx.Response.Headers.CacheControl = "no-store";
        ctx.Response.Headers.ContentSecurityPolicy = Policy;
        ctx.Response.Headers.XContentTypeOptions = "nosniff";
        ctx.Response.Headers["Referrer-Policy"] = "no-referrer";
        IResult result;
        try
        {
            result = await page(ctx.RequestAborted);
        }
        catch (OperationCanceledException) when (ctx.RequestAborted.IsCancellationRequested)
        {
            return;
        }
        catch (Exception e)
        {
            // The page says only that it failed; the detail (which may name paths) goes to the service log.
            LogPageFailed(logger, e, ctx.Request.Path);
            result = Refused(StatusCodes.Status500InternalServerError, "The page could not be built; the farm operator can see why in the controller's log.");
        }

        await result.ExecuteAsync(ctx);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Web page {Path} failed")]
    private static partial void LogPageFailed(ILogger logger, Exception exception, string path);
}
