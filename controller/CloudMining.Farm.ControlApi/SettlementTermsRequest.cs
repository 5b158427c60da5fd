namespace CloudMining.Farm.ControlApi;

/// <summary>A new contract's settlement terms: the shortfall tolerated per period (percent), and MakeGood "extra-hours" or "credit" (with its price per missing TH·h).</summary>
public sealed record SettlementTermsRequest(double TolerancePercent, string MakeGood, decimal? CreditPerTerahashHour = null);
