using CloudMining.Farm.Controller.Contracts;

namespace CloudMining.Farm.Controller.Curtailment;

/// <summary>A contract as the planner sees it: its curtailment term and how much of its allowance is left in the current period.</summary>
public sealed record CurtailmentContract(string Id, CurtailmentTerms Terms, TimeSpan AllowanceLeft);
