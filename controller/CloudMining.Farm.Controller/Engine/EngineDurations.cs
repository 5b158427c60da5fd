namespace CloudMining.Farm.Controller.Engine;

/// <summary>The engine's durations in force (<see cref="EngineOptions.Durations"/>): from the TimeSpan keys, the older number keys, or the defaults.</summary>
public sealed record EngineDurations(
    TimeSpan TickInterval,
    TimeSpan TelemetryStale,
    TimeSpan ReconnectCalm,
    TimeSpan AgentOfflineGrace,
    TimeSpan ProbationPeriod,
    TimeSpan OwnerSilent,
    TimeSpan LagAfter,
    TimeSpan ProofWindow,
    TimeSpan ProofHold)
{
    /// <summary>The defaults (ReconnectCalm: the telemetry window).</summary>
    public static EngineDurations Default { get; } = new(
        TimeSpan.FromSeconds(10),
        TimeSpan.FromMinutes(1),
        TimeSpan.FromMinutes(1),
        TimeSpan.FromMinutes(3),
        TimeSpan.FromMinutes(5),
        TimeSpan.FromMinutes(10),
        TimeSpan.FromMinutes(2),
        TimeSpan.FromMinutes(15),
        TimeSpan.FromMinutes(30));
}
