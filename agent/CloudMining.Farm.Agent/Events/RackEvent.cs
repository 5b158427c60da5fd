namespace CloudMining.Farm.Agent.Events;

/// <summary>
/// Something the agent did or noticed on its rack, published as <c>farm.v1.event</c>: a relay action, an alarm, a
/// watchdog step or a pool change. <see cref="Kind"/> is relay | alarm | watchdog | pools | agent; <see cref="Severity"/>
/// is info | warning | critical; <see cref="Action"/> is a short kebab-case verb ("power-cycle", "over-temperature").
/// <see cref="Detail"/> says why, for a technician; it must never hold a secret.
/// </summary>
public sealed record RackEvent(string Kind, string Severity, string Action, string? MinerId, string? Detail)
{
    public static RackEvent Info(string kind, string action, string? minerId, string? detail) => new(kind, "info", action, minerId, detail);

    public static RackEvent Warning(string kind, string action, string? minerId, string? detail) => new(kind, "warning", action, minerId, detail);

    public static RackEvent Critical(string kind, string action, string? minerId, string? detail) => new(kind, "critical", action, minerId, detail);
}
