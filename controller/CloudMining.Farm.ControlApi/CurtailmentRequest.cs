namespace CloudMining.Farm.ControlApi;

/// <summary>
/// Input of `farmctl curtail plan|apply`: a price per MWh to judge against the strike (<see cref="Strike"/> overrides the
/// configured one for this request), or a demand-response reduction in kW for <see cref="DurationMinutes"/> (default 60).
/// </summary>
public sealed record CurtailmentRequest(decimal? Price = null, decimal? Strike = null, double? ReduceKw = null, int? DurationMinutes = null);
