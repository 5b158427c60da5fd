namespace CloudMining.Farm.Agent.Power;

/// <summary>Body of farm-sim's POST /miners/{id}/power ({"on":true}), sent by <see cref="SimulatorHttpRelayDriver"/>.</summary>
public sealed record PowerBody(bool On);
