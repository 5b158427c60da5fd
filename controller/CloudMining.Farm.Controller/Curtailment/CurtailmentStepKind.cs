namespace CloudMining.Farm.Controller.Curtailment;

/// <summary>Why a step is the action it is (the text is <see cref="MinerCurtailment.Reason"/>).</summary>
public enum CurtailmentStepKind
{
    /// <summary>Power target lowered to the miner's floor, before anything sleeps.</summary>
    LoweredToFloor,

    /// <summary>Power target lowered only as far as the goal needed.</summary>
    LoweredEnough,

    /// <summary>The house's part of a miner shared with contracts, shed by a power target; the contracts keep their hashrate by a larger quota.</summary>
    LoweredHousePart,

    /// <summary>Asleep because the goal is the whole house (price above the strike).</summary>
    SleptWholeHouse,

    /// <summary>Asleep because its firmware takes no power target.</summary>
    SleptNoPowerTarget,

    /// <summary>Asleep because power targets did not shed enough.</summary>
    SleptAfterPowerTargets,
}
