using CloudMining.Farm.Controller.Ingest;
using CloudMining.Farm.Shared.Wire;
using CloudMining.Farm.Shared.Firmware.Channels;

namespace CloudMining.Farm.Controller.Engine;

/// <summary>
/// Turns the capabilities a rack's agent reported (<c>farm.v1.agent-status</c>) into what the controller may sell and
/// enforce per miner. A miner is only sold when its agent reported that its pools can be set; a quota split only goes
/// to a miner that reported a quota style. No report, no sale: an agent that has not probed a miner yet, and an agent
/// older than the field (it never sends capabilities), leave their miners unsold, with the reason for the operator.
/// </summary>
public static class CapabilityJudge
{
    public static MinerEnforceability Judge(RackLiveState? rack, string minerId)
    {
        ArgumentNullException.ThrowIfNull(minerId);
        if (rack?.Capabilities is not { } reported)
        {
            string agent = rack?.AgentVersion is { } v ? $"farm-agent {v}" : "its agent";
            return rack?.AgentState is null
                ? MinerEnforceability.NotWritable($"no status heard from the agent of rack {rack?.Rack ?? "?"} yet, so its capabilities are unknown", "wait for the agent to connect; check it runs and reaches the broker")
                : MinerEnforceability.NotWritable($"{agent} on rack {rack.Rack} does not report miner capabilities (older than this controller)",
                    $"upgrade farm-agent on rack {rack.Rack}; its miners are sold once it reports what it can do to them");
        }

        if (!reported.TryGetValue(minerId, out MinerCapabilities? capabilities))
        {
            return MinerEnforceability.NotWritable("its agent has not reported its capabilities yet (a miner is probed after its first poll)",
                $"wait a poll cycle; if it stays so, run `farm-agent check` on rack {rack!.Rack}");
        }

        OperationCapability? pools = capabilities.For(MinerOperation.SetPools);
        if (pools is not { Available: true })
        {
            string why = pools?.Why ?? $"its agent reports that its pools cannot be set ({pools?.Reason ?? "not reported"})";
            return MinerEnforceability.NotWritable(
                $"its pools cannot be set{(pools?.Channel is { } c ? $" through {c}" : string.Empty)}: {why}",
                pools?.Fix ?? $"run `farm-agent check` on rack {rack!.Rack} for the fix");
        }

        return MinerEnforceability.Writable(capabilities.SupportsPoolQuota);
    }
}
