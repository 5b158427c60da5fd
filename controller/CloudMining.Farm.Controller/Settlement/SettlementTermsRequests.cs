using CloudMining.Farm.ControlApi;
using CloudMining.Farm.Controller.Contracts;

namespace CloudMining.Farm.Controller.Settlement;

/// <summary>Turns the API's <see cref="SettlementTermsRequest"/> into validated <see cref="SettlementTerms"/>.</summary>
public static class SettlementTermsRequests
{
    /// <summary>Null for no request (the controller's defaults apply); throws <see cref="ContractValidationException"/> naming the settlement field at fault.</summary>
    public static SettlementTerms? From(SettlementTermsRequest? request)
    {
        if (request is null)
        {
            return null;
        }

        MakeGoodKind makeGood = request.MakeGood?.Trim().ToLowerInvariant() switch
        {
            "extra-hours" => MakeGoodKind.ExtraHours,
            "credit" => MakeGoodKind.Credit,
            _ => throw new ContractValidationException("settlement.makeGood", $"'{request.MakeGood}' is not a make-good; use extra-hours or credit."),
        };
        return SettlementTerms.Create(request.TolerancePercent, makeGood, request.CreditPerTerahashHour ?? 0);
    }
}
