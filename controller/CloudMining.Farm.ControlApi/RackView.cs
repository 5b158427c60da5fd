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

    /// <summary>
    /// The rack's latest telemetry ts minus when the controller received it, in seconds: well above 0, the rack's clock is
    /// ahead (its readings are dated when received); well below, its clock is behind or its offline queue is draining
    /// (readings older than the telemetry window count as stale). Null before any telemetry.
    /// </summary>
    public double? ClockOffsetS { get; init; }
}
