namespace CloudMining.Farm.Agent.Power;

/// <summary>relays.json in the state directory: the outlets switched off on purpose, so the start-up power-up leaves them off.</summary>
public sealed record RelayStateDocument
{
    public IReadOnlyList<KeptOffOutlet> KeptOff { get; init; } = [];
}
