using System.Collections.Concurrent;
using CloudMining.Farm.Controller.Contracts;
using CloudMining.Farm.Controller.Engine;
using CloudMining.Farm.Controller.Ingest;
using CloudMining.Farm.Shared.Units;
using CloudMining.Farm.Shared.Wire;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CloudMining.Farm.Controller.Proof;

/// <summary>
/// Proof of delivery: accepted difficulty per pool account (<see cref="DeliveryMeter"/>) → delivered hashrate per
/// contract; a deviation beyond the tolerance held long enough (<see cref="DeliveryMonitor"/>) sets an allocation factor
/// for the contract and asks for a rebalance. Owns the meter, the monitor, the factors and the last delivered figures.
/// </summary>
public sealed partial class DeliveryProof
{
    private readonly ILogger _logger;
    private readonly EngineOptions _options;
    private readonly DeliveryMeter _meter;
    private readonly DeliveryMonitor _monitor;
    private readonly Dictionary<string, double> _corrections = new(StringComparer.Ordinal);
    // Read by the pool-side verification outside the engine's lock.
    private readonly ConcurrentDictionary<string, double?> _delivered = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;

    // Warnings about implausible counter jumps: at most one per miner per ImplausibleLogInterval (the lines held back
    // are counted in its next one), and at most MaxImplausibleLinesPerInterval for the whole fleet, so a hostile rack
    // inventing miners cannot flood the log either.
    private readonly Dictionary<(string Rack, string Miner), (DateTimeOffset At, long HeldBack)> _implausibleWarned = [];
    private DateTimeOffset _implausibleWindow = DateTimeOffset.MinValue;
    private int _implausibleLines;
    private long _implausibleHeldBack;

    /// <summary>How often one miner's implausible readings are logged at most.</summary>
    public static readonly TimeSpan ImplausibleLogInterval = TimeSpan.FromMinutes(10);

    /// <summary>How many implausible-reading lines the whole fleet may write per <see cref="ImplausibleLogInterval"/>.</summary>
    public const int MaxImplausibleLinesPerInterval = 20;

    public DeliveryProof(IOptions<EngineOptions> options, ILogger<DeliveryProof> logger, TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        ArgumentNullException.ThrowIfNull(options);
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _options = options.Value;
        _meter = new DeliveryMeter(_options.Durations().ProofWindow);
        _monitor = new DeliveryMonitor(_options.ProofTolerancePercent / 100, _options.Durations().ProofHold);
    }

    /// <summary>Work records the delivery meter holds (one per miner's pool counter increase, a window of them); safe to read from any thread.</summary>
    public long MeterCredits => _meter.CreditCount;

    /// <summary>Rebalances triggered so far (sustained under- or over-delivery).</summary>
    public int Rebalances { get; private set; }

    /// <summary>
    /// Feeds every miner's cumulative accepted difficulty per pool into the meter; returns what each contract's pool
    /// account (<paramref name="pools"/>) gained since the previous reading. A miner <paramref name="suspect"/> says is not
    /// believed (its reading is outside the physical envelope) credits nothing: its counters only move the baseline.
    /// </summary>
    public IReadOnlyList<DeliveryCredit> Observe(IEnumerable<RackLiveState> racks, IReadOnlyDictionary<PoolKey, string> pools, Func<string, bool>? suspect = null)
    {
        ArgumentNullException.ThrowIfNull(racks);
        ArgumentNullException.ThrowIfNull(pools);
        var credits = new List<DeliveryCredit>();
        foreach (MinerLiveState live in racks.SelectMany(r => r.Miners))
        {
            if (live.TelemetryAt is not { } at)
            {
                continue;
            }

            bool believed = suspect is null || !suspect(live.MinerId);
            foreach (TelemetryPool pool in live.Pools)
            {
                if (pool.DifficultyAccepted is not double diff)
                {
                    continue;
                }

                PoolKey key = PoolKey.Of(pool.Url, pool.User);
                if (!believed)
                {
                    _meter.Rebase(live.MinerId, key, diff, at);
                    continue;
                }

                long implausible = _meter.Implausible;
                double delta = _meter.Observe(live.MinerId, key, diff, at, out DateTimeOffset since);
                if (_meter.Implausible != implausible)
                {
                    WarnImplausible(live, pool.Index, diff, _meter.LastImplausibleHs);
                }

                if (delta > 0 && pools.TryGetValue(key, out string? contractId))
                {
                    credits.Add(new DeliveryCredit(contractId, since, at, delta, live.MinerId));
                }
            }
        }

        return credits;
    }

    /// <summary>
    /// Judges each <paramref name="active"/> contract's delivery against what it holds (<paramref name="allocatedHs"/>)
    /// less what the curtailment plan takes from it (<paramref name="curtailedHs"/>, H/s per contract: curtailment, not a
    /// shortfall); true when one of them needs a rebalance (its allocation factor is then set). A contract the plan
    /// curtails is not judged while it is (its pool's figure lags the plan by the proof window).
    /// </summary>
    public bool Evaluate(IEnumerable<Contract> active, Func<string, double> allocatedHs, DateTimeOffset now, IReadOnlyDictionary<string, double>? curtailedHs = null)
    {
        ArgumentNullException.ThrowIfNull(active);
        ArgumentNullException.ThrowIfNull(allocatedHs);
        bool trigger = false;
        foreach (Contract c in active)
        {
            double? hs = _meter.DeliveredHs(PoolKey.Of(c.Pool.Url, c.Pool.Worker), now);
            _delivered[c.Id] = hs;
            if (curtailedHs is not null && curtailedHs.TryGetValue(c.Id, out double curtailed) && curtailed > 0)
            {
                _monitor.Pause(c.Id);
                continue;
            }

            // What the pool should see: the target, or more when whole miners rounded the allocation up (that surplus
            // is the allocator's choice, not a delivery fault). A proof correction is taken out again, or the
            // corrected allocation would itself look like a deviation.
            double correction = _corrections.GetValueOrDefault(c.Id, 1.0);
            double expected = Math.Max(c.Target.HashesPerSecond, allocatedHs(c.Id) / correction);
            DeliveryVerdict verdict = _monitor.Evaluate(c.Id, expected, hs, now);
            if (!verdict.Rebalance || hs is not double d)
            {
                continue;
            }

            // Measured hashrate said the contract was covered, the pool says otherwise (stale shares, a miner that
            // over-reports, an agent not applying): the pool accepts delivered/allocated of what is allocated, so
            // allocate target × allocated/delivered from now on, within bounds.
            double allocated = allocatedHs(c.Id);
            double basis = allocated > 0 ? allocated : c.Target.HashesPerSecond * _corrections.GetValueOrDefault(c.Id, 1.0);
            double corrected = Math.Clamp(d > 0 ? basis / d : 2.0, 0.5, 2.0);
            _corrections[c.Id] = corrected;
            Rebalances++;
            trigger = true;
            LogRebalance(_logger, c.Id, new Hashrate(d), c.Target, verdict.Deviation, _monitor.Hold.TotalMinutes, corrected);
        }

        return trigger;
    }

    /// <summary>The contracts as the allocator should serve them: each target scaled by its allocation factor.</summary>
    public IEnumerable<Contract> Corrected(IEnumerable<Contract> active)
    {
        ArgumentNullException.ThrowIfNull(active);
        return active.Select(c => _corrections.TryGetValue(c.Id, out double f) && f != 1.0
            ? Contract.Create(c.Id, c.Customer, c.Target * f, c.Pool, c.Term, c.Fees)
            : c);
    }

    /// <summary>The delivered hashrate last measured for a contract, H/s; null: none measured (yet). Safe from any thread.</summary>
    public double? DeliveredHs(string contractId) => _delivered.GetValueOrDefault(contractId);

    /// <summary>An ended contract: its hysteresis and factor go.</summary>
    public void Forget(string contractId)
    {
        _monitor.Forget(contractId);
        _corrections.Remove(contractId);
    }

    private void WarnImplausible(MinerLiveState live, int poolIndex, double difficultyAccepted, double impliedHs)
    {
        DateTimeOffset now = _time.GetUtcNow();
        (string, string) key = (live.Rack, live.MinerId);
        if (_implausibleWarned.TryGetValue(key, out var last) && now - last.At < ImplausibleLogInterval)
        {
            _implausibleWarned[key] = (last.At, last.HeldBack + 1);
            return;
        }

        if (now - _implausibleWindow >= ImplausibleLogInterval)
        {
            _implausibleWindow = now;
            _implausibleLines = 0;

            // Forget miners not warned about for a whole interval, so ids that come and go cannot grow the table.
            foreach ((string, string) stale in _implausibleWarned.Where(e => now - e.Value.At >= ImplausibleLogInterval).Select(e => e.Key).ToList())
            {
                _implausibleWarned.Remove(stale);
            }
        }

        if (_implausibleLines >= MaxImplausibleLinesPerInterval)
        {
            _implausibleHeldBack++;
            return;
        }

        _implausibleLines++;
        long heldBack = (last.HeldBack) + _implausibleHeldBack;
        _implausibleHeldBack = 0;
        _implausibleWarned[key] = (now, 0);
        LogImplausible(_logger, BoundedText.Echo(live.MinerId, FarmTopics.MaxIdLength), BoundedText.Echo(live.Rack, FarmTopics.MaxIdLength), poolIndex, difficultyAccepted, impliedHs, Fleet.Miner.HashrateLimitHs, heldBack);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Miner {MinerId} on rack {Rack}: pools[{PoolIndex}].difficultyAccepted {DifficultyAccepted:G6} jumped as if it hashed {ImpliedHs:G3} H/s, above the limit of {LimitHs:G3} H/s no machine exceeds; not credited to any contract (the counter starts a new baseline). Check the miner's firmware and the rack's agent ({HeldBack} such line(s) held back since the last one)")]
    private static partial void LogImplausible(ILogger logger, string minerId, string rack, int poolIndex, double difficultyAccepted, double impliedHs, double limitHs, long heldBack);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Contract {ContractId} delivered {Delivered} against a target of {Target} ({Deviation:P1}) for at least {HoldMin} min; rebalancing with an allocation factor of {Factor:0.000}")]
    private static partial void LogRebalance(ILogger logger, string contractId, Hashrate delivered, Hashrate target, double deviation, double holdMin, double factor);
}
