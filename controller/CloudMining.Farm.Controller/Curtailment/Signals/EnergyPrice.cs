namespace CloudMining.Farm.Controller.Curtailment.Signals;

/// <summary>An energy price for a site, per MWh in <see cref="Currency"/>, valid from <see cref="ValidFrom"/> until <see cref="ValidUntil"/> (null: until replaced).</summary>
public sealed record EnergyPrice(string Site, decimal PerMegawattHour, string Currency, DateTimeOffset ValidFrom, DateTimeOffset? ValidUntil, SignalSource Source);
