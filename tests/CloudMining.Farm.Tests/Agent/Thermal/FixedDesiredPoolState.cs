using CloudMining.Farm.Agent.Pools;
using CloudMining.Farm.Shared.Wire;

namespace CloudMining.Farm.Tests.Agent.Thermal;

/// <summary>Holds a real desired pool state payload, as the pools store would after a valid message from the controller.</summary>
public sealed class FixedDesiredPoolState(DesiredPoolStatePayload? current) : IDesiredPoolStateView
{
    public DesiredPoolStatePayload? Current { get; set; } = current;
}
