using CloudMining.Farm.Controller.Allocation;

namespace CloudMining.Farm.Controller.Curtailment;

/// <summary>
/// One miner as the curtailment planner sees it: its measured power and hashrate (so its efficiency), what its agent
/// reports it can do (sleep and resume, a power target and its lowest value), and whom its hashrate is sold to.
/// </summary>
/// <param name="PowerW">Measured wall power, W (from telemetry).</param>
/// <param name="HashrateHs">Measured average hashrate, H/s.</param>
/// <param name="CanSleep">Its agent reports both pause and resume available.</param>
/// <param name="CanSetPowerTarget">Its agent reports a power target (or preset) available.</param>
/// <param name="PowerTargetMinW">The lowest power target the firmware reports, W; null when it does not say.</param>
/// <param name="Shares">Its current allocation; empty or only the house pool: unsold (house) hashrate.</param>
public sealed record CurtailmentCandidate(
    string MinerId,
    string Rack,
    double PowerW,
    double HashrateHs,
    bool CanSleep,
    bool CanSetPowerTarget,
    double? PowerTargetMinW,
    IReadOnlyList<PoolShare> Shares)
{
    /// <summary>Joules per terahash: measured power over measured hashrate; +∞ when it draws power and hashes nothing.</summary>
    public double JoulesPerTerahash => HashrateHs > 0 ? PowerW / (HashrateHs / 1e12) : double.PositiveInfinity;
}
