namespace CloudMining.Farm.Simulator.Control;

/// <summary>Error body of the control API: what is wrong and what to do.</summary>
public sealed record ControlError(string Error);
