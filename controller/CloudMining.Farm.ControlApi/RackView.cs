namespace CloudMining.Farm.ControlApi;

/// <summary>One rack: its agent, its miners, whether it applied the latest desired pool state, and the miners its agent rejected.</summary>
public sealed record RackView(
    string Rack,
    bool AgentOnline,
    int MinersTotal,
    int MinersHashing,
    double HashrateHs,
    long? DesiredGeneration,
    long? AppliedGeneration,
    bool Lagging,
    DateTimeOffset? LastSeen,
    IReadOnlyList<RejectedMinerView>? RejectedMiners = null)
{
    /// <summary>Miners of the rack whose readings are outside the physical envelope (not sold; see <see cref="MinerView.SuspectReason"/>).</summary>
    public int MinersSuspect { get; init; }
}
