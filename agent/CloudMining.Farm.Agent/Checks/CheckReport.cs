using CloudMining.Farm.Shared.Wire;

namespace CloudMining.Farm.Agent.Checks;

/// <summary>What `farm-agent check --json` prints: the verdict and every line.</summary>
public sealed record CheckReport(string Config, bool Passed, IReadOnlyList<CheckResult> Checks)
{
    /// <summary>Each answering miner's operations as the agent would report them (the same <see cref="MinerCapabilities"/> as in farm.v1.agent-status).</summary>
    public IReadOnlyList<MinerCapabilities> Miners { get; init; } = [];
}
