using CloudMining.Farm.Controller.Operations;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace CloudMining.Farm.Controller.Api;

// The curtailment routes (`farmctl curtail status|plan|apply|end`), mapped when the operations implement them.
public static partial class LocalApiEndpoints
{
    private static void MapCurtailment(IEndpointRouteBuilder routes, ICurtailmentOperations curtailment, ILogger logger)
    {
        ApiJsonContext json = ApiJsonContext.Default;
        routes.MapGet("/v1/curtailment", ctx => Handle(ctx, logger, async ct => Ok(await curtailment.GetCurtailmentAsync(ct), json.CurtailmentStatusView)));

        routes.MapPost("/v1/curtailment/plan", ctx => Handle(ctx, logger, async ct =>
        {
            CurtailmentRequest request = await ReadBodyAsync(ctx, json.CurtailmentRequest, ct) ?? new CurtailmentRequest();
            return Ok(await curtailment.PlanCurtailmentAsync(request, ct), json.CurtailmentPlanView);
        }));

        routes.MapPost("/v1/curtailment/apply", ctx => Handle(ctx, logger, async ct =>
        {
            CurtailmentRequest? request = await ReadBodyAsync(ctx, json.CurtailmentRequest, ct);
            if (request is null || (request.Price is null && request.ReduceKw is null))
            {
                return Problem(ApiProblems.Validation("body", "give a price (per MWh) or a reduction in kW to apply, e.g. {\"price\": 120} or {\"reduceKw\": 500, \"durationMinutes\": 60}."));
            }

            return Ok(await curtailment.ApplyCurtailmentAsync(request, ct), json.CurtailmentPlanView);
        }));

        routes.MapPost("/v1/curtailment/end", ctx => Handle(ctx, logger, async ct => Ok(await curtailment.EndCurtailmentAsync(ct), json.CurtailmentPlanView)));
    }
}
