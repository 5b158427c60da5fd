using CloudMining.Farm.Agent.Power;

namespace CloudMining.Farm.Simulator.Power;

/// <summary>The relay chips `farm-sim agent` runs the real agent with: farm-agent's own, plus "sim" and "sim-http://HOST:PORT".</summary>
public static class SimulatedRelayChips
{
    public static RelayDriverFactory Factory { get; } = RelayDriverFactory.Product.With(new SimulatedChipProvider(), new SimulatorHttpChipProvider());
}
