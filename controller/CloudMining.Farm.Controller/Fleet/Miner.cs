using CloudMining.Farm.Shared.Units;

namespace CloudMining.Farm.Controller.Fleet;

/// <summary>One ASIC as the controller sees it: where it hangs (rack, PDU), what it can do, and what it measurably delivers.</summary>
/// <param name="Id">Stable identity (serial or MAC based), unchanged by IP changes or swaps of the agent box.</param>
/// <param name="Rack">Failure domain: one agent, one network switch, one cooling zone.</param>
/// <param name="Pdu">Power failure domain: the PDU (or PDU branch) the miner's relay sits on.</param>
/// <param name="FirmwareProfile">Name of the firmware profile in firmware-profiles/ that drives it.</param>
/// <param name="SupportsPoolQuotas">Whether the firmware can split hashrate between pools by quota (cgminer load-balance, BOSminer pool groups).</param>
/// <param name="MeasuredHashrate">Healthy hashrate measured from telemetry (average, not the advertised nameplate).</param>
/// <param name="Health">The controller's judgement of the miner from its telemetry.</param>
/// <param name="Drained">Set by the operator for maintenance; a drained miner is sold to nobody.</param>
public sealed record Miner(
    string Id,
    string Rack,
    string Pdu,
    string FirmwareProfile,
    bool SupportsPoolQuotas,
    Hashrate MeasuredHashrate,
    MinerHealth Health,
    bool Drained)
{
    /// <summary>No machine hashes 1 EH/s: above it a measured rate is never sold, whatever the reading envelope is configured to.</summary>
    public const double HashrateLimitHs = 1e18;

    /// <summary>
    /// Its agent reports that its pools cannot be set (no route in its firmware profile, no or a wrong login, API writes
    /// off), or reports nothing about it yet: the agent cannot point it at a contract's pool, so it is sold to nobody and
    /// left out of the desired state; it keeps mining where it was set up.
    /// </summary>
    public bool PoolsReadOnly { get; init; }

    /// <summary>Why its pools cannot be set, from its agent's reported capabilities (or their absence); null when they can.</summary>
    public string? PoolsReadOnlyReason { get; init; }

    /// <summary>Why the miner's readings are not believed (outside the physical envelope), or null; a suspect miner is sold to nobody.</summary>
    public string? SuspectReason { get; init; }

    /// <summary>
    /// Suspect for less than <see cref="ReadingEnvelopeOptions.SuspectHold"/>: the allocator keeps its current shares
    /// (see <see cref="KeepsPlace"/>), though it is still sold to nobody and measures nothing.
    /// </summary>
    public bool SuspectHeld { get; init; }

    /// <summary>
    /// While <see cref="SuspectHeld"/>: the hashrate its last believed reading measured (before the suspicion), which the
    /// allocator weighs its kept shares with so that nothing around it moves; zero when none is known (after a restart).
    /// Never capacity and never delivery.
    /// </summary>
    public Hashrate HeldHashrate { get; init; }

    /// <summary>
    /// True when the allocator keeps this miner's current shares although it is not sellable: young suspicion
    /// (<see cref="SuspectHeld"/>) on a miner that is otherwise healthy, not drained, its pools writable, with a believed
    /// rate from before. It gets no new shares; past the hold it is released like any unhealthy miner.
    /// </summary>
    public bool KeepsPlace => SuspectHeld && SuspectReason is not null && Health == MinerHealth.Healthy && !Drained && !PoolsReadOnly
        && HeldHashrate.HashesPerSecond is > 0 and <= HashrateLimitHs;

    /// <summary>
    /// True when this miner's measured hashrate may be sold: healthy, not drained, its pools writable, its readings
    /// believed, and actually hashing at a rate a machine can have.
    /// </summary>
    public bool IsSellable => Health == MinerHealth.Healthy && !Drained && !PoolsReadOnly && SuspectReason is null
        && MeasuredHashrate.HashesPerSecond is > 0 and <= HashrateLimitHs;

    /// <summary>The hashrate this miner contributes to capacity: its measured rate when sellable, otherwise zero.</summary>
    public Hashrate SellableHashrate => IsSellable ? MeasuredHashrate : Hashrate.Zero;
}
