using System.Globalization;
using CloudMining.Farm.Controller.Allocation;
using CloudMining.Farm.Controller.Contracts;
using CloudMining.Farm.Controller.Curtailment.Signals;
using CloudMining.Farm.Controller.Engine;
using CloudMining.Farm.Controller.Fleet;
using CloudMining.Farm.Shared.Firmware.Channels;
using CloudMining.Farm.Shared.Wire;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CloudMining.Farm.Controller.Curtailment;

/// <summary>
/// The engine's curtailment part: holds the site's signals (operator, MQTT, tariff), the strike gate, and turns the
/// judged fleet, the allocation and the contracts into planner input and views. The engine's lock serialises every call.
/// </summary>
public sealed partial class CurtailmentDesk
{
    private readonly CurtailmentOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly TariffSchedule? _tariff;
    private readonly List<DemandResponseEvent> _events = [];
    private StrikeGate? _gate;
    private EnergyPrice? _operatorPrice;
    private EnergyPrice? _feedPrice;

    public CurtailmentDesk(ControllerSite site, TimeProvider time, ILogger<CurtailmentDesk> logger, IOptions<CurtailmentOptions>? options = null)
    {
        Site = (site ?? throw new ArgumentNullException(nameof(site))).Id;
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _options = options?.Value ?? new CurtailmentOptions();
        _tariff = _options.TariffFile is { Length: > 0 } file ? TariffSchedule.Load(file) : null;
        if (_options.Strike is { } strike)
        {
            _gate = new StrikeGate(new StrikeSettings(strike, _options.Hysteresis, _options.MinRunning, _options.MinCurtailed), _time);
        }
    }

    public string Site { get; }

    public CurtailmentOptions Options => _options;

    /// <summary>The strike gate; null while no strike price is set.</summary>
    public StrikeGate? Gate => _gate;

    /// <summary>The price in force now: the operator's, else the feed's (while valid), else the tariff's; null when none.</summary>
    public EnergyPrice? PriceAt(DateTimeOffset now) =>
        _operatorPrice
        ?? (_feedPrice is { } f && f.ValidFrom <= now && (f.ValidUntil is null || f.ValidUntil > now) ? f : null)
        ?? _tariff?.PriceAt(now);

    /// <summary>Demand-response events not yet over.</summary>
    public IReadOnlyList<DemandResponseEvent> Events(DateTimeOffset now)
    {
        _events.RemoveAll(e => e.End <= now);
        return _events;
    }

    /// <summary>Judges the price in force through the strike gate (once per tick); logs a switch.</summary>
    public StrikeDecision? Observe(DateTimeOffset now)
    {
        if (_gate is null || PriceAt(now) is not { } price)
        {
            return null;
        }

        StrikeDecision decision = _gate.Observe(price.PerMegawattHour);
        if (decision.Switched)
        {
            LogStrikeSwitched(_logger, Site, decision.Curtailed ? "curtailed" : "restored", decision.Why);
        }

        return decision;
    }

    /// <summary>An MQTT signal message (see docs/mqtt-contract.md): parsed, checked, kept when good, logged when refused.</summary>
    public bool Accept(string topic, ReadOnlySpan<byte> payload)
    {
        DateTimeOffset now = _time.GetUtcNow();
        if (SignalTopics.TryParse(topic, out _, out string kind) && kind == SignalTopics.DemandResponse)
        {
            SignalParseResult<DemandResponseEvent> dr = SignalPayloadParser.ParseDemandResponse(topic, payload, Site, now);
            if (dr.Value is { } e)
            {
                _events.RemoveAll(x => x.Id == e.Id);
                _events.Add(e);
                return true;
            }

            LogSignalRefused(_logger, dr.Error!);
            return false;
        }

        SignalParseResult<EnergyPrice> price = SignalPayloadParser.ParsePrice(topic, payload, Site, now);
        if (price.Value is { } p)
        {
            _feedPrice = p;
            return true;
        }

        LogSignalRefused(_logger, price.Error!);
        return false;
    }

    /// <summary>The goal for a request: a reduction in kW (demand response), or a price judged against the strike.</summary>
    public CurtailmentGoal GoalFor(CurtailmentRequest request, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(request);
        Validate(request);
        if (request.ReduceKw is { } kw)
        {
            TimeSpan duration = Duration(request);
            return CurtailmentGoal.Reduce(kw, duration, string.Create(CultureInfo.InvariantCulture, $"reduce the site by {kw:0.#} kW for {duration.TotalMinutes:0} min"));
        }

        decimal? strike = request.Strike ?? _options.Strike;
        decimal? price = request.Price ?? PriceAt(now)?.PerMegawattHour;
        if (price is not { } p)
        {
            return new CurtailmentGoal(0, true, null, "no price in force (no operator price, feed or tariff) and no reduction asked: nothing to curtail");
        }

        if (strike is not { } s)
        {
            return new CurtailmentGoal(0, true, null, $"price {Money(p)} but no strike price is set: nothing to curtail (give --strike, or set Curtailment:Strike)");
        }

        return p > s
            ? CurtailmentGoal.WholeHouse($"price {Money(p)} above the strike {Money(s)}: the house stops mining at a loss")
            : new CurtailmentGoal(0, true, null, $"price {Money(p)} at or below the strike {Money(s)}: nothing to curtail");
    }

    /// <summary>Records the operator's signal: a price (replacing any earlier one), or a demand-response event from now.</summary>
    public void Record(CurtailmentRequest request, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(request);
        Validate(request);
        if (request.ReduceKw is { } kw)
        {
            var e = new DemandResponseEvent("operator-" + now.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture), Site, kw, now, now + Duration(request), SignalSource.Operator);
            _events.Add(e);
        }

        if (request.Price is { } price)
        {
            _operatorPrice = new EnergyPrice(Site, price, _tariff?.Currency ?? "EUR", now, null, SignalSource.Operator);
        }

        LogRecorded(_logger, Site, request.Price, request.ReduceKw);
    }

    /// <summary>Ends the operator's signals (its price and its events); feed and tariff signals stay.</summary>
    public void End()
    {
        _operatorPrice = null;
        _events.RemoveAll(e => e.Source == SignalSource.Operator);
        LogEnded(_logger, Site);
    }

    /// <summary>The operator's signals now (price, events not yet over) as JSON to store; null when there are none.</summary>
    public string? OperatorSignalsJson()
    {
        DemandResponseEvent[] events = [.. _events.Where(e => e.Source == SignalSource.Operator)];
        return _operatorPrice is null && events.Length == 0
            ? null
            : System.Text.Json.JsonSerializer.Serialize(new OperatorSignals(_operatorPrice, events), OperatorSignalsJsonContext.Default.OperatorSignals);
    }

    /// <summary>Takes back the operator's signals stored before a restart (events already over are dropped); a damaged document is logged and ignored.</summary>
    public void RestoreOperatorSignals(string? json, DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return;
        }

        try
        {
            OperatorSignals? stored = System.Text.Json.JsonSerializer.Deserialize(json, OperatorSignalsJsonContext.Default.OperatorSignals);
            if (stored?.Price is { } price && price.Site == Site)
            {
                _operatorPrice = price;
            }

            foreach (DemandResponseEvent e in (stored?.Events ?? []).Where(e => e is not null && e.Site == Site && e.End > now && !_events.Any(x => x.Id == e.Id)))
            {
                _events.Add(e);
            }

            int events = _events.Count(e => e.Source == SignalSource.Operator);
            LogRestored(_logger, Site, _operatorPrice?.PerMegawattHour, events);
        }
        catch (System.Text.Json.JsonException e)
        {
            LogRestoreFailed(_logger, e, Site);
        }
    }

    /// <summary>
    /// The admitted, hashing miners with their measured power, what their agents report they can do and whom they are
    /// allocated to; a miner that is not hashing (idle, asleep) is left out — it has nothing to shed — unless it is in
    /// <paramref name="curtailedNow"/> (asleep by the plan in force, planned again at its power before).
    /// </summary>
    public static IReadOnlyList<CurtailmentCandidate> Candidates(FleetSnapshot fleet, IReadOnlyDictionary<string, IReadOnlyList<PoolShare>> assignments, IReadOnlyDictionary<string, MinerCurtailment>? curtailedNow = null)
    {
        ArgumentNullException.ThrowIfNull(fleet);
        ArgumentNullException.ThrowIfNull(assignments);
        var capabilities = new Dictionary<string, MinerCapabilities>(StringComparer.Ordinal);
        foreach (var rack in fleet.Racks)
        {
            if (rack.Capabilities is { } reported)
            {
                foreach ((string id, MinerCapabilities c) in reported)
                {
                    capabilities[id] = c;
                }
            }
        }

        var list = new List<CurtailmentCandidate>(fleet.Miners.Count);
        foreach (Miner m in fleet.Miners)
        {
            if (m.Drained || !fleet.PowerW.TryGetValue(m.Id, out double power)
                || (m.Health is not (MinerHealth.Healthy or MinerHealth.Degraded) && curtailedNow?.ContainsKey(m.Id) != true))
            {
                continue;
            }

            MinerCapabilities? c = capabilities.GetValueOrDefault(m.Id);
            list.Add(new CurtailmentCandidate(
                m.Id,
                m.Rack,
                power,
                m.MeasuredHashrate.HashesPerSecond,
                c is not null && c.Can(MinerOperation.Pause) && c.Can(MinerOperation.Resume),
                c is not null && c.Can(MinerOperation.SetPowerTarget),
                c?.PowerTargetMinW,
                assignments.TryGetValue(m.Id, out IReadOnlyList<PoolShare>? shares) ? shares : []));
        }

        return list;
    }

    /// <summary>The contracts with their whole allowance, none of it used (the engine counts use with <see cref="CurtailmentAllowance"/>).</summary>
    public static IReadOnlyList<CurtailmentContract> Contracts(IEnumerable<Contract> active) =>
        new CurtailmentAllowance().Contracts(active, DateTimeOffset.UnixEpoch, []);

    /// <summary>
    /// What sleeping miners were last measured to draw (fraction of their running power; see
    /// <see cref="CurtailmentEnforcer.MeasuredSleepDraw"/>); null until measured: the configured value stands.
    /// </summary>
    public double? MeasuredSleepDraw { get; set; }

    public CurtailmentSettings Settings => new(_options.PowerTargetFloor, MeasuredSleepDraw is { } m && m < 0.5 ? m : _options.SleepDrawFraction);

    private TimeSpan Duration(CurtailmentRequest request) =>
        request.DurationMinutes is { } minutes ? TimeSpan.FromMinutes(minutes) : _options.DefaultEventDuration;

    private static void Validate(CurtailmentRequest request)
    {
        if (request.Price is { } p && (p < SignalPayloadParser.MinPricePerMWh || p > SignalPayloadParser.MaxPricePerMWh))
        {
            throw new ContractValidationException("price", $"{p.ToString(CultureInfo.InvariantCulture)} is outside {SignalPayloadParser.MinPricePerMWh}..{SignalPayloadParser.MaxPricePerMWh}; give the price per MWh.");
        }

        if (request.Strike is { } s && (s < SignalPayloadParser.MinPricePerMWh || s > SignalPayloadParser.MaxPricePerMWh))
        {
            throw new ContractValidationException("strike", $"{s.ToString(CultureInfo.InvariantCulture)} is outside {SignalPayloadParser.MinPricePerMWh}..{SignalPayloadParser.MaxPricePerMWh}; give the strike per MWh.");
        }

        if (request.ReduceKw is { } kw && (!double.IsFinite(kw) || kw <= 0 || kw > SignalPayloadParser.MaxReduceKw))
        {
            throw new ContractValidationException("reduceKw", $"{kw.ToString(CultureInfo.InvariantCulture)} must be more than 0 and at most {SignalPayloadParser.MaxReduceKw:0} kW.");
        }

        if (request.DurationMinutes is { } minutes && (minutes <= 0 || minutes > SignalPayloadParser.MaxEventDuration.TotalMinutes))
        {
            throw new ContractValidationException("durationMinutes", $"{minutes} must be between 1 and {SignalPayloadParser.MaxEventDuration.TotalMinutes:0} minutes.");
        }

        if (request.Price is null && request.ReduceKw is null && request.Strike is not null)
        {
            throw new ContractValidationException("price", "a strike alone plans nothing; give --price (judged against the strike) or --reduce-kw.");
        }
    }

    private static string Money(decimal value) => value.ToString("0.##", CultureInfo.InvariantCulture) + "/MWh";

    [LoggerMessage(Level = LogLevel.Warning, Message = "Curtailment at site {Site}: {Change} ({Why})")]
    private static partial void LogStrikeSwitched(ILogger logger, string site, string change, string why);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Curtailment signal refused: {Reason}")]
    private static partial void LogSignalRefused(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Curtailment at site {Site}: operator signal recorded (price {Price}, reduce {ReduceKw} kW)")]
    private static partial void LogRecorded(ILogger logger, string site, decimal? price, double? reduceKw);

    [LoggerMessage(Level = LogLevel.Information, Message = "Curtailment at site {Site}: operator signals restored from the store (price {Price}, {Events} demand-response event(s))")]
    private static partial void LogRestored(ILogger logger, string site, decimal? price, int events);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Curtailment at site {Site}: the stored operator signals cannot be read; they are ignored (record them again with farmctl curtail apply)")]
    private static partial void LogRestoreFailed(ILogger logger, Exception exception, string site);

    [LoggerMessage(Level = LogLevel.Information, Message = "Curtailment at site {Site}: operator signals ended")]
    private static partial void LogEnded(ILogger logger, string site);
}
