namespace CloudMining.Farm.Controller.Curtailment;

/// <summary>
/// What a plan must achieve: shed <see cref="ShedW"/> watts of measured power (+∞: everything it may), from the house
/// only or from curtailable contracts too, for how long (checked against each contract's allowance left), and why.
/// </summary>
public sealed record CurtailmentGoal(double ShedW, bool HouseOnly, TimeSpan? Duration, string Why)
{
    /// <summary>Price above the strike: the house stops losing money — every house miner lowered or asleep; contracts untouched.</summary>
    public static CurtailmentGoal WholeHouse(string why) => new(double.PositiveInfinity, true, null, why);

    /// <summary>A demand-response event: reduce the site by <paramref name="kilowatts"/>, house first, then curtailable contracts.</summary>
    public static CurtailmentGoal Reduce(double kilowatts, TimeSpan? duration, string why) => new(kilowatts * 1000, false, duration, why);
}
