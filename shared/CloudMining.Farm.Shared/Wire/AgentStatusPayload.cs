namespace CloudMining.Farm.Shared.Wire;

/// <summary>Retained on farm/v1/{site}/{rack}/status: "online" while the agent runs, "offline" from its last will.</summary>
public sealed record AgentStatusPayload : FarmMessage
{
    public const string SchemaId = "farm.v1.agent-status";

    public override string Schema => SchemaId;

    public required string Site { get; init; }

    public required string Rack { get; init; }

    /// <summary>"online" or "offline"; <see cref="AgentState.Unknown"/> for a state this program does not know.</summary>
    public required AgentState State { get; init; }

    public string? AgentVersion { get; init; }

    public int? MinersConfigured { get; init; }

    /// <summary>Seconds between poll cycles, so a consumer knows how fresh telemetry should be.</summary>
    public double? PollIntervalS { get; init; }

    /// <summary>
    /// Added within v1: per miner, what the agent can do to it (see <see cref="MinerCapabilities"/>). Absent from the
    /// will and from agents older than this field; an empty list means "not probed yet". Bounded (<c>CapabilityBudget</c>).
    /// </summary>
    public IReadOnlyList<MinerCapabilities>? Capabilities { get; init; }

    /// <inheritdoc />
    public override IReadOnlyList<string> UnknownStates() => State == AgentState.Unknown ? ["state"] : [];

    /// <inheritdoc />
    public override string? Malformation() => base.Malformation() ?? FirstNull(("site", Site), ("rack", Rack))
        ?? (Capabilities is null ? null : NullItem("capabilities", Capabilities) ?? CapabilityMalformation(Capabilities));

    private static string? CapabilityMalformation(IReadOnlyList<MinerCapabilities> capabilities)
    {
        for (int i = 0; i < capabilities.Count; i++)
        {
            MinerCapabilities c = capabilities[i];
            string? problem = FirstNull(($"capabilities[{i}].minerId", c.MinerId), ($"capabilities[{i}].poolQuota", c.PoolQuota)) ?? NullItem($"capabilities[{i}].operations", c.Operations);
            if (problem is null && c.Operations.FirstOrDefault(o => o.Operation is null) is not null)
            {
                problem = $"\"capabilities[{i}].operations[].operation\" is null";
            }

            if (problem is not null)
            {
                return problem;
            }
        }

        return null;
    }
}
