namespace CloudMining.Farm.Controller.Engine;

/// <summary>The "Controller:Engine" section: capacity carving, the control loop, enforcement, proof, ledger prices.</summary>
public sealed class EngineOptions
{
    /// <summary>Seconds between control-loop ticks (fleet → allocation → enforcement → proof → ledger).</summary>
    public double IntervalS { get; set; } = 10;

    /// <summary>Size of one sellable unit, TH/s.</summary>
    public double UnitSizeTh { get; set; } = 10;

    /// <summary>Share of measured healthy hashrate held back for failures, percent.</summary>
    public double ReservePercent { get; set; } = 5;

    /// <summary>Absolute hashrate held back on top of the percentage, TH/s.</summary>
    public double ReserveAbsoluteTh { get; set; }

    /// <summary>Telemetry older than this marks a miner offline (its agent stopped reporting it), seconds.</summary>
    public double TelemetryStaleS { get; set; } = 60;

    /// <summary>
    /// After the controller's ingest client (re)connects to the broker, no miner is judged stale for this long, seconds
    /// (and none at all while it is disconnected), so a broker outage never re-allocates; unset: <see cref="TelemetryStaleS"/>.
    /// </summary>
    public double? ReconnectCalmS { get; set; }

    /// <summary>An agent that went offline (its last will, or a graceful stop) keeps its miners' allocation this long before they count as lost, minutes.</summary>
    public double AgentOfflineGraceMin { get; set; } = 3;

    /// <summary>A miner id never seen before is sold only after this many healthy telemetry readings (and <see cref="ProbationMin"/>).</summary>
    public int ProbationReadings { get; set; } = 10;

    /// <summary>A miner id never seen before is sold only after being healthy this long (and <see cref="ProbationReadings"/>), minutes.</summary>
    public double ProbationMin { get; set; } = 5;

    /// <summary>A miner reported by a second rack moves to it only when its rack has not reported it this long; until then it is a conflict, minutes.</summary>
    public double OwnerSilentMin { get; set; } = 10;

    /// <summary>The operator's own pool, which receives all unsold hashrate; unset: unsold miners are left out of the desired state.</summary>
    public string? HousePoolUrl { get; set; }

    /// <summary>The operator's worker on the house pool.</summary>
    public string? HouseWorker { get; set; }

    /// <summary>A rack whose agent has not reported the latest desired generation this long after it was published is flagged lagging, seconds.</summary>
    public double LagAfterS { get; set; } = 120;

    /// <summary>Re-solve the allocation on every tick (failures, drains, drift) and apply it; off: only operator rebalances and contract changes move miners.</summary>
    public bool AutoRebalance { get; set; } = true;

    /// <summary>Sliding window over which delivered hashrate is measured from accepted difficulty, minutes.</summary>
    public double ProofWindowMin { get; set; } = 15;

    /// <summary>Delivered hashrate may deviate from the target by this much before it counts as under- or over-delivery, percent.</summary>
    public double ProofTolerancePercent { get; set; } = 5;

    /// <summary>How long a deviation beyond the tolerance must last before it triggers a rebalance, minutes.</summary>
    public double ProofHoldMin { get; set; } = 30;

    /// <summary>Seconds between re-publications of the platform's allocation and capacity topics when nothing changed (delivered hashrate moves).</summary>
    public double PlatformPublishIntervalS { get; set; } = 60;

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

    /// <summary>Between control-loop ticks (<see cref="IntervalS"/>).</summary>
    public TimeSpan TickInterval => TimeSpan.FromSeconds(IntervalS);

    /// <summary>Telemetry older than this marks a miner offline (<see cref="TelemetryStaleS"/>).</summary>
    public TimeSpan TelemetryStale => TimeSpan.FromSeconds(TelemetryStaleS);

    /// <summary>No miner judged stale this long after the ingest client (re)connects (<see cref="ReconnectCalmS"/>, default <see cref="TelemetryStale"/>).</summary>
    public TimeSpan ReconnectCalm => TimeSpan.FromSeconds(ReconnectCalmS ?? TelemetryStaleS);

    /// <summary>An offline agent's miners keep their allocation this long (<see cref="AgentOfflineGraceMin"/>).</summary>
    public TimeSpan AgentOfflineGrace => TimeSpan.FromMinutes(AgentOfflineGraceMin);

    /// <summary>A new miner id is healthy this long before it is sold (<see cref="ProbationMin"/>).</summary>
    public TimeSpan ProbationSpan => TimeSpan.FromMinutes(ProbationMin);

    /// <summary>A miner moves to a second rack only after its own has not reported it this long (<see cref="OwnerSilentMin"/>).</summary>
    public TimeSpan OwnerSilent => TimeSpan.FromMinutes(OwnerSilentMin);

    /// <summary>A rack that has not applied its desired generation this long lags (<see cref="LagAfterS"/>).</summary>
    public TimeSpan LagAfter => TimeSpan.FromSeconds(LagAfterS);

    /// <summary>Delivered hashrate is measured over this window (<see cref="ProofWindowMin"/>).</summary>
    public TimeSpan ProofWindow => TimeSpan.FromMinutes(ProofWindowMin);

    /// <summary>A deviation must last this long to trigger a rebalance (<see cref="ProofHoldMin"/>).</summary>
    public TimeSpan ProofHold => TimeSpan.FromMinutes(ProofHoldMin);

    /// <summary>The platform's topics are re-published this often when nothing changed (<see cref="PlatformPublishIntervalS"/>).</summary>
    public TimeSpan PlatformPublishInterval => TimeSpan.FromSeconds(PlatformPublishIntervalS);

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
