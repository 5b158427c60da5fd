namespace CloudMining.Farm.Agent.Checks;

/// <summary>One line of `farm-agent check`: what was checked, whether it passed, what was found and how to fix it.</summary>
/// <param name="Area">config, miner, sensor or relay.</param>
/// <param name="Subject">The miner id, sensor name, outlet or config key the line is about.</param>
/// <param name="Passed">True for ✓.</param>
/// <param name="Detail">What was found, one sentence.</param>
/// <param name="Hint">What to do when it failed; null when <see cref="Passed"/> or when the detail already says it.</param>
/// <param name="Warning">True for a line that passes but deserves a look (an unknown config key): shown with "!".</param>
public sealed record CheckResult(string Area, string Subject, bool Passed, string Detail, string? Hint = null, bool Warning = false)
{
    /// <summary>A line that does not fail the check but that the technician should read.</summary>
    public static CheckResult Warn(string area, string subject, string detail) => new(area, subject, true, detail, Warning: true);

    public static CheckResult Pass(string area, string subject, string detail) => new(area, subject, true, detail);

    public static CheckResult Warn(string area, string subject, string detail, string hint) => new(area, subject, true, detail, hint) { Warning = true };

    public static CheckResult Fail(string area, string subject, string detail, string? hint = null) => new(area, subject, false, detail, hint);
}
