namespace CloudMining.Farm.Simulator.Wire;

/// <summary>The STATUS object every cgminer-style reply starts with.</summary>
/// <param name="Severity">"S" success, "I" info, "W" warning, "E" error.</param>
public sealed record ApiStatus(string Severity, int Code, string Msg, string Description);
