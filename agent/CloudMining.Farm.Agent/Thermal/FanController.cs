using System.Globalization;
using CloudMining.Farm.Agent.Configuration;
using CloudMining.Farm.Agent.Events;
using CloudMining.Farm.Agent.Polling;
using CloudMining.Farm.Gpio.Pwm;
using CloudMining.Farm.Gpio.Sensors;
using CloudMining.Farm.Shared.Units;
using Microsoft.Extensions.Logging;

namespace CloudMining.Farm.Agent.Thermal;

/// <summary>
/// The fan loop's one pass: reads the rack's air sensors, takes the hottest fresh chip of the miners, maps each through
/// its curve with hysteresis, and drives every fan group at the highest demand (never below the group's minimum). Any
/// configured sensor that cannot be read drives every group to 100 % and raises sensor-lost; tachometers raise
/// fan-failed. Not thread-safe: one loop owns it.
/// </summary>
public sealed partial class FanController
{
    private readonly ThermalOptions _thermal;
    private readonly TimeSpan _minerMaxAge;
    private readonly RackSensor[] _sensors;
    private readonly HysteresisFanDemand _inlet;
    private readonly HysteresisFanDemand _exhaust;
    private readonly HysteresisFanDemand _chips;
    private readonly RackEventBus _events;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly HashSet<string> _lostSensors = new(StringComparer.Ordinal);
    private readonly HashSet<string> _failingGroups = new(StringComparer.Ordinal);
    private List<FanGroup> _groups = [];
    private RackAirReading _latestAir = RackAirReading.None(DateTimeOffset.MinValue);

    public FanController(AgentOptions options, RackEventBus events, TimeProvider time, ILogger<FanController> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _events = events ?? throw new ArgumentNullException(nameof(events));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _thermal = options.Thermal;
        Layout = SysfsLayout.From(options.Hardware);
        FanOptions = options.Hardware.Fans.ToArray();
        _minerMaxAge = options.PollInterval * 3;
        _sensors = options.Hardware.Sensors.Select(s => RackSensor.Create(s, Layout)).ToArray();
        _inlet = new HysteresisFanDemand(FanCurve.FromOptions(_thermal.InletCurve, ThermalOptions.DefaultInletCurve), _thermal.HysteresisCelsius);
        _exhaust = new HysteresisFanDemand(FanCurve.FromOptions(_thermal.ExhaustCurve, ThermalOptions.DefaultExhaustCurve), _thermal.HysteresisCelsius);
        _chips = new HysteresisFanDemand(FanCurve.FromOptions(_thermal.ChipCurve, ThermalOptions.DefaultChipCurve), _thermal.HysteresisCelsius);
    }

    public SysfsLayout Layout { get; }

    public IReadOnlyList<FanGroup> Groups => _groups;

    public IReadOnlyList<RackSensor> Sensors => _sensors;

    /// <summary>The latest pass over the air sensors, for thermal protection (read from another loop, hence volatile).</summary>
    public RackAirReading LatestAir
    {
        get => Volatile.Read(ref _latestAir);
        private set => Volatile.Write(ref _latestAir, value);
    }

    private FanGroupOptions[] FanOptions { get; }

    /// <summary>Exports and enables every group's PWM channel at 100 %; throws <see cref="PwmException"/> naming the channel when one cannot be driven.</summary>
    public void Start()
    {
        _groups = FanOptions.Select(f => FanGroup.Open(f, _thermal, Layout, _time)).ToList();
        if (_logger.IsEnabled(LogLevel.Information))
        {
            foreach (FanGroup g in _groups)
            {
                string output = g.ToString();
                string tach = g.TachometerInput ?? "none";
                LogGroupStarted(_logger, g.Name, output, tach);
            }
        }
    }

    /// <summary>Reads, decides and drives once.</summary>
    public async Task<FanStep> StepAsync(IReadOnlyList<MinerPollStatus> miners, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(miners);
        DateTimeOffset now = _time.GetUtcNow();
        RackAirReading air = await ReadAirAsync(now, cancellationToken);
        LatestAir = air;

        Temperature? hottestChip = miners.Select(m => MinerHeat.FreshMaxChip(m, now, _minerMaxAge)).Max();
        double? inletDemand = _inlet.Update(air.Inlet);
        double? exhaustDemand = _exhaust.Update(air.Exhaust);
        double? chipDemand = _chips.Update(hottestChip);

        (double demand, string reason) = Decide(air, inletDemand, exhaustDemand, chipDemand, hottestChip);
        foreach (FanGroup group in _groups)
        {
            Drive(group, group.Clamp(demand), reason);
        }

        await CheckTachometersAsync(cancellationToken);
        return new FanStep(air, hottestChip, demand, reason);
    }

    /// <summary>Every group to 100 %, as far as each can be driven: the agent is stopping and nobody will watch the heat.</summary>
    public void FullSpeed()
    {
        foreach (FanGroup group in _groups)
        {
            try
            {
                group.FullSpeed();
            }
            catch (PwmException e)
            {
                LogFullSpeedFailed(_logger, e, group.Name);
            }
        }
    }

    private static (double Demand, string Reason) Decide(RackAirReading air, double? inletDemand, double? exhaustDemand, double? chipDemand, Temperature? hottestChip)
    {
        if (air.LostSensors.Count > 0)
        {
            return (100, "sensor lost: " + string.Join(", ", air.LostSensors));
        }

        var demands = new List<(double Duty, string Why)>();
        if (inletDemand is { } i)
        {
            demands.Add((i, $"inlet {air.Inlet}"));
        }

        if (exhaustDemand is { } e)
        {
            demands.Add((e, $"exhaust {air.Exhaust}"));
        }

        if (chipDemand is { } c)
        {
            demands.Add((c, $"hottest chip {hottestChip}"));
        }

        if (demands.Count == 0)
        {
            // No sensor configured and no miner reporting chips: the loop is blind, so it runs the fans flat out.
            return (100, "no temperature known");
        }

        (double duty, string why) = demands.MaxBy(d => d.Duty);
        return (duty, why);
    }

    private void Drive(FanGroup group, double duty, string reason)
    {
        double before = group.DutyPercent;
        try
        {
            if (group.SetDuty(duty))
            {
                double from = Math.Round(before, 1);
                double to = Math.Round(duty, 1);
                LogDuty(_logger, group.Name, from, to, reason);
            }

            if (_failingGroups.Remove(group.Name))
            {
                _events.Raise(RackEvent.Info("alarm", "fan-control-restored", null, $"Fan group {group.Name} can be driven again."));
            }
        }
        catch (PwmException e)
        {
            if (_failingGroups.Add(group.Name))
            {
                _events.Raise(RackEvent.Critical("alarm", "fan-control-failed", null, $"Fan group {group.Name} cannot be driven: {e.Message}"));
            }
        }
    }

    private async Task<RackAirReading> ReadAirAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (_sensors.Length == 0)
        {
            return RackAirReading.None(now);
        }

        Task<Temperature>[] reads = _sensors.Select(s => s.ReadAsync(cancellationToken)).ToArray();
        try
        {
            await Task.WhenAll(reads);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Looked at one by one below.
        }

        Temperature? maxInlet = null;
        Temperature? maxExhaust = null;
        var lost = new List<string>();
        for (int i = 0; i < _sensors.Length; i++)
        {
            RackSensor sensor = _sensors[i];
            Task<Temperature> read = reads[i];
            if (read.IsCanceled)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            if (read.IsCompletedSuccessfully)
            {
                Temperature t = read.Result;
                if (sensor.Position == SensorPosition.Inlet)
                {
                    maxInlet = maxInlet is { } m && m >= t ? m : t;
                }
                else
                {
                    maxExhaust = maxExhaust is { } m && m >= t ? m : t;
                }

                if (_lostSensors.Remove(sensor.Name))
                {
                    _events.Raise(RackEvent.Info("alarm", "sensor-restored", null, $"Sensor {sensor} reads {t} again; fans follow the curve again."));
                }

                continue;
            }

            // Whatever the failure (a typed sensor error, or an I/O error enumerating hwmon), the sensor is lost.
            Exception error = read.Exception!.InnerException ?? read.Exception;
            lost.Add(sensor.Name);
            if (_lostSensors.Add(sensor.Name))
            {
                bool blind = lost.Count == _sensors.Length && _lostSensors.Count == _sensors.Length;
                string detail = $"Sensor {sensor} cannot be read: {error.Message} Fans run at 100 % until it reads again.";
                _events.Raise(blind
                    ? RackEvent.Critical("alarm", "sensor-lost", null, detail)
                    : RackEvent.Warning("alarm", "sensor-lost", null, detail));
            }
        }

        return new RackAirReading(maxInlet, maxExhaust, lost, now);
    }

    private async Task CheckTachometersAsync(CancellationToken cancellationToken)
    {
        foreach (FanGroup group in _groups)
        {
            if (group.Detector is not { } detector)
            {
                continue;
            }

            FanSpeed speed;
            try
            {
                speed = await group.ReadSpeedAsync(cancellationToken);
            }
            catch (Exception e) when (e is SensorReadException or IOException or UnauthorizedAccessException)
            {
                if (!group.TachometerLost)
                {
                    group.TachometerLost = true;
                    _events.Raise(RackEvent.Warning("alarm", "tachometer-lost", null, $"Tachometer {group.TachometerInput} of fan group {group.Name} cannot be read: {e.Message} Fan failure cannot be detected until it reads again."));
                }

                continue;
            }

            if (group.TachometerLost)
            {
                group.TachometerLost = false;
                _events.Raise(RackEvent.Info("alarm", "tachometer-restored", null, $"Tachometer {group.TachometerInput} of fan group {group.Name} reads {speed} again."));
            }

            string duty = group.DutyPercent.ToString("0.#", CultureInfo.InvariantCulture);
            switch (detector.Observe(speed, group.DutyPercent))
            {
                case FanHealthChange.Failed:
                    _events.Raise(RackEvent.Critical("alarm", "fan-failed", null,
                        $"Fan group {group.Name} turns at {speed}, under its minimum {group.MinRpm} rpm, at {duty} % duty for {detector.LowReads} reads in a row ({group.TachometerInput}). Check the fans for a seized rotor, a loose plug or a cut sense wire."));
                    break;
                case FanHealthChange.Recovered:
                    _events.Raise(RackEvent.Info("alarm", "fan-recovered", null, $"Fan group {group.Name} turns at {speed} again at {duty} % duty."));
                    break;
                default:
                    break;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Fan group {FanGroup} on {PwmOutput} started at 100 %, tachometer {Tachometer}")]
    private static partial void LogGroupStarted(ILogger logger, string fanGroup, string pwmOutput, string tachometer);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Fan group {FanGroup} duty {PreviousDuty} % -> {Duty} % ({Reason})")]
    private static partial void LogDuty(ILogger logger, string fanGroup, double previousDuty, double duty, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not set fan group {FanGroup} to 100 %")]
    private static partial void LogFullSpeedFailed(ILogger logger, Exception exception, string fanGroup);
}
