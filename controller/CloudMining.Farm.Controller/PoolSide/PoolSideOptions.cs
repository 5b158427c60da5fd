namespace CloudMining.Farm.Controller.PoolSide;

/// <summary>The "Controller:PoolSide" section: how often contracts' pool watches are read and when a disagreement is raised.</summary>
public sealed class PoolSideOptions
{
    /// <summary>Between two reads of one watch; never shorter than the pool's published limit (the adapter refuses sooner reads); default 00:01:00.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The pool's figure may differ from ours by this much before it counts as a discrepancy, percent; default 10.</summary>
    public double TolerancePercent { get; set; } = 10;

    /// <summary>How long a discrepancy must last before it is raised; default 00:30:00.</summary>
    public TimeSpan Hold { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Per request to a pool API; default 00:00:20.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Adds every problem with the values to <paramref name="errors"/>, each named by its key.</summary>
    public void Check(Configuration.ConfigurationErrors errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        errors.Require(PollInterval >= TimeSpan.FromSeconds(5) && PollInterval <= TimeSpan.FromHours(1), "Controller:PoolSide:PollInterval", $"is {PollInterval}; set it between 00:00:05 (Braiins Pool allows one request per five seconds) and 01:00:00.");
        errors.Require(TolerancePercent is > 0 and < 100, "Controller:PoolSide:TolerancePercent", $"is {TolerancePercent}; set a percentage above 0 and below 100, e.g. 10.");
        errors.Require(Hold >= TimeSpan.Zero && Hold <= TimeSpan.FromDays(1), "Controller:PoolSide:Hold", $"is {Hold}; set it between 00:00:00 and 1.00:00:00, e.g. 00:30:00.");
        errors.Require(RequestTimeout >= TimeSpan.FromSeconds(1) && RequestTimeout <= TimeSpan.FromMinutes(2), "Controller:PoolSide:RequestTimeout", $"is {RequestTimeout}; set it between 00:00:01 and 00:02:00.");
    }
}
