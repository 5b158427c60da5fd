namespace CloudMining.Farm.ControlApi;

/// <summary>A curtailment signal in force: a price ("price", per MWh) or a demand-response event ("demand-response", kW), and its source.</summary>
public sealed record CurtailmentSignalView(string Kind, string Source, decimal? PricePerMWh, string? Currency, double? ReduceKw, DateTimeOffset From, DateTimeOffset? Until, string? Id);
