namespace CloudMining.Farm.Controller.Engine;

/// <summary>
/// The "Controller:Engine" section: capacity carving, the control loop, enforcement, proof, ledger prices. Durations
/// are <see cref="TimeSpan"/> keys ("00:00:10"); each still accepts its older number key with the unit in its name
/// (<c>IntervalS</c>, <c>ProofHoldMin</c>, …) so existing files keep working — set one of the pair, not both.
/// </summary>
public sealed class EngineOptions
{
    /// <summary>Between control-loop ticks (fleet → allocation → enforcement → proof → ledger); default 00:00:10.</summary>
    public TimeSpan? TickInterval { get; set; }

    /// <summary>Older spelling of <see cref="TickInterval"/>, seconds.</summary>
    public double? IntervalS { get; set; }

    /// <summary>Size of one sellable unit, TH/s.</summary>
    public double UnitSizeTh { get; set; } = 10;

    /// <summary>Share of measured healthy hashrate held back for failures, percent.</summary>
    public double ReservePercent { get; set; } = 5;

    /// <summary>Absolute hashrate held back on top of the percentage, TH/s.</summary>
    public double ReserveAbsoluteTh { get; set; }

    /// <summary>Telemetry older than this marks a miner offline (its agent stopped reporting it); default 00:01:00.</summary>
    public TimeSpan? TelemetryStale { get; set; }

    /// <summary>Older spelling of <see cref="TelemetryStale"/>, seconds.</summary>
    public double? TelemetryStaleS { get; set; }

    /// <summary>
    /// After the controller's ingest client (re)connects to the broker, no miner is judged stale for this long (and none
    /// at all while it is disconnected), so a broker outage never re-allocates; unset: <see cref="TelemetryStale"/>.
    /// </summary>
    public TimeSpan? ReconnectCalm { get; set; }

    /// <summary>Older spelling of <see cref="ReconnectCalm"/>, seconds.</summary>
    public double? ReconnectCalmS { get; set; }

    /// <summary>An agent that went offline (its last will, or a graceful stop) keeps its miners' allocation this long before they count as lost; default 00:03:00.</summary>
    public TimeSpan? AgentOfflineGrace { get; set; }

    /// <summary>Older spelling of <see cref="AgentOfflineGrace"/>, minutes.</summary>
    public double? AgentOfflineGraceMin { get; set; }

    /// <summary>A miner id never seen before is sold only after this many healthy telemetry readings (and <see cref="ProbationPeriod"/>).</summary>
    public int ProbationReadings { get; set; } = 10;

    /// <summary>A miner id never seen before is sold only after being healthy this long (and <see cref="ProbationReadings"/>); default 00:05:00.</summary>
    public TimeSpan? ProbationPeriod { get; set; }

    /// <summary>Older spelling of <see cref="ProbationPeriod"/>, minutes.</summary>
    public double? ProbationMin { get; set; }

    /// <summary>A miner reported by a second rack moves to it only when its rack has not reported it this long; until then it is a conflict; default 00:10:00.</summary>
    public TimeSpan? OwnerSilent { get; set; }

    /// <summary>Older spelling of <see cref="OwnerSilent"/>, minutes.</summary>
    public double? OwnerSilentMin { get; set; }

    /// <summary>The operator's own pool, which receives all unsold hashrate; unset: unsold miners are left out of the desired state.</summary>
    public string? HousePoolUrl { get; set; }

    /// <summary>The operator's worker on the house pool.</summary>
    public string? HouseWorker { get; set; }

    /// <summary>A rack whose agent has not reported the latest desired generation this long after it was published is flagged lagging; default 00:02:00.</summary>
    public TimeSpan? LagAfter { get; set; }

    /// <summary>Older spelling of <see cref="LagAfter"/>, seconds.</summary>
    public double? LagAfterS { get; set; }

    /// <summary>Re-solve the allocation on every tick (failures, drains, drift) and apply it; off: only operator rebalances and contract changes move miners.</summary>
    public bool AutoRebalance { get; set; } = true;

    /// <summary>Sliding window over which delivered hashrate is measured from accepted difficulty; default 00:15:00.</summary>
    public TimeSpan? ProofWindow { get; set; }

    /// <summary>Older spelling of <see cref="ProofWindow"/>, minutes.</summary>
    public double? ProofWindowMin { get; set; }

    /// <summary>Delivered hashrate may deviate from the target by this much before it counts as under- or over-delivery, percent.</summary>
    public double ProofTolerancePercent { get; set; } = 5;

    /// <summary>How long a deviation beyond the tolerance must last before it triggers a rebalance; default 00:30:00.</summary>
    public TimeSpan? ProofHold { get; set; }

    /// <summary>Older spelling of <see cref="ProofHold"/>, minutes.</summary>
    public double? ProofHoldMin { get; set; }

    /// <summary>Electricity price per kWh (settlement currency) for the ledger's at-cost electricity and the margin rule.</summary>
    public decimal ElectricityPricePerKwh { get; set; } = 0.06m;

    /// <summary>Revenue of 1 TH/s for one day (settlement currency); unset disables the open-ended contracts' negative-margin termination.</summary>
    public decimal? HashpricePerThDay { get; set; }

    /// <summary>Efficiency assumed when a miner reports no power, J/TH (W per TH/s).</summary>
    public double NominalJoulesPerTerahash { get; set; } = 30;

    /// <summary>The "Controller:Engine:Readings" section: the physical envelope of believable telemetry (suspect miners are not sold).</summary>
    public Fleet.ReadingEnvelopeOptions Readings { get; set; } = new();

    /// <summary>No longer read: what a miner can do (pools, quotas) now comes from the capabilities its agent reports. Kept so existing configuration files still bind.</summary>
    public string? ProfilesDirectory { get; set; }

    /// <summary>
    /// The durations in force: each TimeSpan key, else its older number key, else the default. Call after validation
    /// (a number no TimeSpan can hold throws).
    /// </summary>
    public EngineDurations Durations()
    {
        TimeSpan stale = TelemetryStale ?? TimeSpan.FromSeconds(TelemetryStaleS ?? EngineDurations.Default.TelemetryStale.TotalSeconds);
        return new EngineDurations(
            TickInterval ?? TimeSpan.FromSeconds(IntervalS ?? EngineDurations.Default.TickInterval.TotalSeconds),
            stale,
            ReconnectCalm ?? (ReconnectCalmS is { } calm ? TimeSpan.FromSeconds(calm) : stale),
            AgentOfflineGrace ?? TimeSpan.FromMinutes(AgentOfflineGraceMin ?? EngineDurations.Default.AgentOfflineGrace.TotalMinutes),
            ProbationPeriod ?? TimeSpan.FromMinutes(ProbationMin ?? EngineDurations.Default.ProbationPeriod.TotalMinutes),
            OwnerSilent ?? TimeSpan.FromMinutes(OwnerSilentMin ?? EngineDurations.Default.OwnerSilent.TotalMinutes),
            LagAfter ?? TimeSpan.FromSeconds(LagAfterS ?? EngineDurations.Default.LagAfter.TotalSeconds),
            ProofWindow ?? TimeSpan.FromMinutes(ProofWindowMin ?? EngineDurations.Default.ProofWindow.TotalMinutes),
            ProofHold ?? TimeSpan.FromMinutes(ProofHoldMin ?? EngineDurations.Default.ProofHold.TotalMinutes));
    }

    /// <summary>The house pool when both <see cref="HousePoolUrl"/> and <see cref="HouseWorker"/> are set, else null.</summary>
    public Contracts.HousePool? HousePool() =>
        string.IsNullOrWhiteSpace(HousePoolUrl) ? null : new Contracts.HousePool(Contracts.PoolAccount.Create(HousePoolUrl, HouseWorker));

    /// <summary>Capacity carving from <see cref="UnitSizeTh"/>, <see cref="ReservePercent"/> and <see cref="ReserveAbsoluteTh"/>.</summary>
    public Capacity.CapacityOptions CapacityOptions() => new()
    {
        UnitSize = Shared.Units.Hashrate.FromTerahashes(UnitSizeTh),
        ReservePercent = ReservePercent,
        ReserveAbsolute = Shared.Units.Hashrate.FromTerahashes(ReserveAbsoluteTh),
    };
}
