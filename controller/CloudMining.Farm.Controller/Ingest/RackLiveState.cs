using CloudMining.Farm.Shared.Wire;

namespace CloudMining.Farm.Controller.Ingest;

/// <summary>One rack's totals and its agent's status, computed from <see cref="FleetState"/>.</summary>
public sealed record RackLiveState(
    string Site,
    string Rack,
    AgentState? AgentState,
    int? MinersConfigured,
    IReadOnlyList<MinerLiveState> Miners)
{
    public bool AgentOnline => AgentState == Shared.Wire.AgentState.Online;

    /// <summary>Since when (controller clock) the agent has been in <see cref="AgentState"/>; null when no status was heard.</summary>
    public DateTimeOffset? AgentStateSince { get; init; }

    /// <summary>When (controller clock) the rack's first telemetry arrived since its agent entered <see cref="AgentState"/>; null until then.</summary>
    public DateTimeOffset? ReportingSince { get; init; }

    /// <summary>
    /// The capabilities the rack's agent reported per miner id (the latest for each, kept through its offline will);
    /// null when its agent never sent any — an agent older than the field, or no status heard yet.
    /// </summary>
    public IReadOnlyDictionary<string, MinerCapabilities>? Capabilities { get; init; }

    /// <summary>The version the agent last said it runs.</summary>
    public string? AgentVersion { get; init; }

    public int MinersTotal => Math.Max(Miners.Count, MinersConfigured ?? 0);

    public int MinersOk => Miners.Count(m => m.IsOk);

    public double HashrateHs => Miners.Sum(m => m.Hashrate5sHs ?? m.HashrateAverageHs ?? 0);

    public double PowerW => Miners.Sum(m => m.PowerW ?? 0);
}
