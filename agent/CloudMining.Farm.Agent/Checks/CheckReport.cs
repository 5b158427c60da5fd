namespace CloudMining.Farm.Agent.Checks;

/// <summary>What `farm-agent check --json` prints: the verdict and every line.</summary>
public sealed record CheckReport(string Config, bool Passed, IReadOnlyList<CheckResult> Checks);
