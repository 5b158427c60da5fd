namespace CloudMining.Farm.Simulator.Control;

/// <summary>Body of POST /miners/{id}/ambient: {"celsius":35} — the intake air temperature.</summary>
public sealed record AmbientRequest(double Celsius);
