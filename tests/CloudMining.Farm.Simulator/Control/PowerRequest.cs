namespace CloudMining.Farm.Simulator.Control;

/// <summary>Body of POST /miners/{id}/power: {"on":false}.</summary>
public sealed record PowerRequest(bool On);
