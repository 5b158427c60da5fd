using System.Globalization;

namespace CloudMining.Farm.Controller.Curtailment;

/// <summary>
/// One step of a plan: the miner, what it does (<see cref="Action"/>, with the power target for
/// <see cref="CurtailmentAction.LowerPower"/>), whose hashrate it costs (<see cref="Owner"/>: "house" or a contract id),
/// what it saves and loses (estimated linearly from its measured power and hashrate), and why it was chosen
/// (<see cref="Whose"/> and <see cref="Kind"/>; <see cref="Reason"/> is the sentence, written when asked for, so a
/// 100,000-miner plan does not build text nobody reads).
/// </summary>
public sealed record MinerCurtailment(
    string MinerId,
    string Rack,
    CurtailmentAction Action,
    double? PowerTargetW,
    string Owner,
    double MeasuredPowerW,
    double JoulesPerTerahash,
    double SavedW,
    double LostHs,
    string Whose,
    CurtailmentStepKind Kind)
{
    /// <summary>Its measured hashrate before curtailment, H/s (what it comes back to; the ledger counts against it).</summary>
    public double MeasuredHashrateHs { get; init; }

    /// <summary>
    /// The pool split it mines while curtailed, in place of its allocation's (the house's part of a shared miner: the
    /// contracts' quotas grow as its hashrate falls); null: the allocation's split stands.
    /// </summary>
    public IReadOnlyList<Allocation.PoolShare>? SharesWhileCurtailed { get; init; }

    /// <summary>"house (unsold) hashrate; 40.0 J/TH, least efficient first; sleep: the whole house stops".</summary>
    public string Reason
    {
        get
        {
            string efficiency = double.IsPositiveInfinity(JoulesPerTerahash)
                ? "draws power and hashes nothing"
                : JoulesPerTerahash.ToString("F1", CultureInfo.InvariantCulture) + " J/TH, least efficient first";
            string what = Kind switch
            {
                CurtailmentStepKind.LoweredToFloor => string.Create(CultureInfo.InvariantCulture, $"power target {PowerTargetW:F0} W of {MeasuredPowerW:F0} W (its floor) before sleeping anything"),
                CurtailmentStepKind.LoweredEnough => string.Create(CultureInfo.InvariantCulture, $"power target {PowerTargetW:F0} W of {MeasuredPowerW:F0} W: enough to meet the goal"),
                CurtailmentStepKind.LoweredHousePart => string.Create(CultureInfo.InvariantCulture, $"power target {PowerTargetW:F0} W of {MeasuredPowerW:F0} W: as low as its contracts' hashrate allows"),
                CurtailmentStepKind.SleptWholeHouse => "sleep: the whole house stops",
                CurtailmentStepKind.SleptNoPowerTarget => "sleep: its firmware takes no power target",
                _ => "sleep: power targets did not shed enough",
            };
            return string.Concat(Whose, "; ", efficiency, "; ", what);
        }
    }
}
