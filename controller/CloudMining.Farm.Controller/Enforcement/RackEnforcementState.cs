using CloudMining.Farm.Shared.Wire;

namespace CloudMining.Farm.Controller.Enforcement;

/// <summary>What the controller asked of one rack and what its agent last said it applied.</summary>
/// <param name="Rack">The rack.</param>
/// <param name="DesiredGeneration">Generation of the rack's retained desired state; null before the first publish.</param>
/// <param name="DesiredAt">When that generation was published.</param>
/// <param name="AppliedGeneration">Generation the agent last reported applied; null before its first report.</param>
/// <param name="ReportedAt">When that report arrived.</param>
/// <param name="Errors">The errors of the agent's last report (miners it could not switch).</param>
/// <param name="Lagging">True when the desired generation has not been applied within the lag limit.</param>
/// <param name="RejectedMiners">
/// Miners whose entry the agent rejected in its last report (state <c>rejected</c>: unknown to it, or an entry that
/// failed its checks), with the reason. They keep their old pools, so they are not enforced for their contract; the
/// rest of the rack did take the generation, so such a rack is not lagging.
/// </param>
public sealed record RackEnforcementState(
    string Rack,
    long? DesiredGeneration,
    DateTimeOffset? DesiredAt,
    long? AppliedGeneration,
    DateTimeOffset? ReportedAt,
    IReadOnlyList<string> Errors,
    bool Lagging,
    IReadOnlyList<ReportedMinerStatus> RejectedMiners);
