namespace CloudMining.Farm.Controller.Curtailment;

/// <summary>What the strike gate decided for one price: curtailed or not, whether that is a switch, and why.</summary>
public sealed record StrikeDecision(bool Curtailed, bool Switched, string Why);
