using CloudMining.Farm.Controller.Operations;
using CloudMining.Farm.Controller.Pages;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace CloudMining.Farm.Controller.Api;

// The proof routes: a contract's hours with the pool's figure and miners, the settlements, and the read-only links to
// the web pages (which only an operator holding the API token can ask for).
public static partial class LocalApiEndpoints
{
    /// <summary>How many days `GET /v1/contracts/{id}/proof` covers when no `from` is given.</summary>
    public const int ProofDefaultDays = 3;

    /// <summary>Maps the proof and page-link routes; <paramref name="proof"/> null maps only the links.</summary>
    public static void MapProof(IEndpointRouteBuilder routes, IControllerOperations operations, IProofOperations? proof, PageLinkKey links, TimeProvider time, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(routes);
        ArgumentNullException.ThrowIfNull(operations);
        ArgumentNullException.ThrowIfNull(links);
        ArgumentNullException.ThrowIfNull(time);
        ApiJsonContext json = ApiJsonContext.Default;

        routes.MapGet("/v1/contracts/{id}/link", ctx => Handle(ctx, logger, async ct =>
        {
            string id = RouteId(ctx);
            ContractView? contract = await operations.GetContractAsync(id, ct);
            if (contract is null)
            {
                return Problem(ApiProblems.NotFound($"No contract '{id}'; `farmctl contracts list` shows the contracts."));
            }

            string token = links.ContractToken(contract.Id);
            return Ok(new PageLinkView(contract.Id, token, PageLinks.Proof(contract.Id, token)), json.PageLinkView);
        }));

        Task<IResult> DashboardLink(CancellationToken cancellationToken)
        {
            string token = links.DashboardToken();
            return Task.FromResult(Ok(new PageLinkView(null, token, PageLinks.Dashboard(token)), json.PageLinkView));
        }

        routes.MapGet("/v1/dashboard/link", ctx => Handle(ctx, logger, DashboardLink));

        if (proof is null)
        {
            return;
        }

        routes.MapGet("/v1/contracts/{id}/proof", ctx => Handle(ctx, logger, async ct =>
        {
            DateTimeOffset now = time.GetUtcNow();
            DateTimeOffset defaultTo = Ledger.HourlyLedger.HourOf(now).AddHours(1);
            if (!TryInstant(ctx, "to", defaultTo, out DateTimeOffset to, out ProblemDocument? problem)
                || !TryInstant(ctx, "from", to.AddDays(-ProofDefaultDays), out DateTimeOffset from, out problem))
            {
                return Problem(problem!);
            }

            if (to <= from)
            {
                return Problem(ApiProblems.Validation("to", $"{to:O} is not after from {from:O}; the range is [from, to)."));
            }

            return Ok(await proof.GetContractProofAsync(RouteId(ctx), from, to, ct), json.ContractProofView);
        }));

        routes.MapGet("/v1/settlements", ctx => Handle(ctx, logger, async ct =>
        {
            string? contract = ctx.Request.Query["contract"];
            if (!TryInstant(ctx, "from", LedgerBeginning, out DateTimeOffset from, out ProblemDocument? problem)
                || !TryInstant(ctx, "to", time.GetUtcNow().AddDays(1), out DateTimeOffset to, out problem))
            {
                return Problem(problem!);
            }

            if (to <= from)
            {
                return Problem(ApiProblems.Validation("to", $"{to:O} is not after from {from:O}; the range is [from, to)."));
            }

            return Ok(await proof.GetSettlementsAsync(string.IsNullOrEmpty(contract) ? null : contract, from, to, ct), json.IReadOnlyListSettlementView);
        }));
    }
}
