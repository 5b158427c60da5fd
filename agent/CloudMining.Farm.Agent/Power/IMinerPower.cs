namespace CloudMining.Farm.Agent.Power;

/// <summary>
/// Switches a miner's PDU outlet. Implemented by the relay controller over the rack's hardware map; used by the
/// watchdog ladder, thermal protection and `farm-agent relay test`. Every call names why, and every action taken
/// becomes a relay event. A miner without a relay in the hardware map is refused with
/// <see cref="InvalidOperationException"/>; callers check <see cref="HasRelay"/> first.
/// </summary>
public interface IMinerPower
{
    bool HasRelay(string minerId);

    /// <summary>True while the outlet is switched on (as commanded; the relay has no feedback line).</summary>
    bool IsPoweredOn(string minerId);

    Task PowerOffAsync(string minerId, string reason, CancellationToken cancellationToken);

    Task PowerOnAsync(string minerId, string reason, CancellationToken cancellationToken);

    /// <summary>Off, the configured minimum off time, on; waits its turn when the rack's cycling limit is reached.</summary>
    Task PowerCycleAsync(string minerId, string reason, CancellationToken cancellationToken);
}
