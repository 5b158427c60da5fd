namespace CloudMining.Farm.Controller.Operations;

/// <summary>
/// `farmctl curtail status|plan|apply|end` through the local API. Plans are dry runs; apply and end record the
/// operator's signal (a price, or a demand-response event). Enforcement through the agents is not wired yet: a plan
/// says so (<c>Enforced</c> false). Bad input is a <c>ContractValidationException</c> naming the field.
/// </summary>
public interface ICurtailmentOperations
{
    Task<CurtailmentStatusView> GetCurtailmentAsync(CancellationToken cancellationToken);

    Task<CurtailmentPlanView> PlanCurtailmentAsync(CurtailmentRequest request, CancellationToken cancellationToken);

    Task<CurtailmentPlanView> ApplyCurtailmentAsync(CurtailmentRequest request, CancellationToken cancellationToken);

    Task<CurtailmentPlanView> EndCurtailmentAsync(CancellationToken cancellationToken);
}
