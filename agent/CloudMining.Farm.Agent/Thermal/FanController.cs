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
    private readonly ThermalOptions thermal;
    private readonly TimeSpan minerMaxAge;
    private readonly RackSensor[] sensors;
    private readonly HysteresisFanDemand inlet;
    private readonly HysteresisFanDemand exhaust;
    private readonly HysteresisFanDemand chips;
    private readonly RackEventBus events;
    private readonly TimeProvider time;
    private readonly ILogger logger;
    private readonly HashSet<string> lostSensors = new(StringComparer.Ordinal);
    private readonly HashSet<string> failingGroups = new(StringComparer.Ordinal);
    private List<FanGroup> groups = [];
    private RackAirReading latestAir = RackAirReading.None(DateTimeOffset.MinValue);

    public FanController(AgentOptions options, RackEventBus events, TimeProvider time, ILogger<FanController> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        this.events = events ?? throw new ArgumentNullException(nameof(events));
        this.time = time ?? throw new ArgumentNullException(nameof(time));
        this.logger = logger ?? throw new ArgumentNullException(nameof(logger));
        thermal = options.Thermal;
        Layout = SysfsLayout.From(options.Hardware);
        FanOptions = options.Hardware.Fans.ToArray();
        minerMaxAge = options.PollInterval * 3;
        sensors = options.Hardware.Sensors.Select(s => RackSensor.Create(s, Layout)).ToArray();
        inlet = new HysteresisFanDemand(FanCurve.FromOptions(thermal.InletCurve, ThermalOptions.DefaultInletCurve), thermal.HysteresisCelsius);
        exhaust = new HysteresisFanDemand(FanCurve.FromOptions(thermal.ExhaustCurve, ThermalOptions.DefaultExhaustCurve), thermal.HysteresisCelsius);
        chips = new HysteresisFanDemand(FanCurve.FromOptions(thermal.ChipCurve, ThermalOptions.DefaultChipCurve), thermal.HysteresisCelsius);
    }

    public SysfsLayout Layout { get; }

    public IReadOnlyList<FanGroup> Groups => groups;

    public IReadOnlyList<RackSensor> Sensors => sensors;

    /// <summary>The latest pass over the air sensors, for thermal protection (read from another loop, hence volatile).</summary>
    public RackAirReading LatestAir
    {
        get => Volatile.Read(ref latestAir);
        private set => Volatile.Write(ref latestAir, value);
    }

    private FanGroupOptions[] FanOptions { get; }

    /// <summary>Exports and enables every group's PWM channel at 100 %; throws <see cref="PwmException"/> naming the channel when one cannot be driven.</summary>
    public void Start()
    {
        groups = FanOptions.Select(f => FanGroup.Open(f, thermal, Layout, time)).ToList();
        if (logger.IsEnabled(LogLevel.Information))
        {
            foreach (FanGroup g in groups)
            {
                string output = g.ToString();
                string tach = g.TachometerInput ?? "none";
                LogGroupStarted(logger, g.Name, output, tach);
            }
        }
    }

    /// <summary>Reads, decides and drives once.</summary>
    public async Task<FanStep> StepAsync(IReadOnlyList<MinerPollStatus> miners, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(miners);
        DateTimeOffset now = time.GetUtcNow();
        RackAirReading air = await ReadAirAsync(now, cancellationToken);
        LatestAir = air;

        Temperature? hottestChip = miners.Select(m => MinerHeat.FreshMaxChip(m, now, minerMaxAge)).Max();
        double? inletDemand = inlet.Update(air.Inlet);
        double? exhaustDemand = exhaust.Update(air.Exhaust);
        double? chipDemand = chips.Update(hottestChip);

        (double demand, string reason) = Decide(air, inletDemand, exhaustDemand, chipDemand, hottestChip);
        foreach (FanGroup group in groups)
        {
            Drive(group, group.Clamp(demand), reason);
        }

        await CheckTachometersAsync(cancellationToken);
        return new FanStep(air, hottestChip, demand, reason);
    }

    /// <summary>Every group to 100 %, as far as each can be driven: the agent is stopping and nobody will watch the heat.</summary>
    public void FullSpeed()
    {
        foreach (FanGroup group in groups)
        {
            try
            {
                group.FullSpeed();
            }
            catch (PwmException e)
            {
                LogFullSpeedFailed(logger, e, group.Name);
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
                LogDuty(logger, group.Name, from, to, reason);
            }

            if (failingGroups.Remove(group.Name))
            {
                events.Raise(RackEvent.Info("alarm", "fan-control-restored", null, $"Fan group {group.Name} can be driven again."));
            }
        }
        catch (PwmException e)
        {
            if (failingGroups.Add(group.Name))
            {
                events.Raise(RackEvent.Critical("alarm", "fan-control-failed", null, $"Fan group {group.Name} cannot be driven: {e.Message}"));
            }
        }
    }

    private async Task<RackAirReading> ReadAirAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (sensors.Length == 0)
        {
            return RackAirReading.None(now);
        }

        Task<Temperature>[] reads = sensors.Select(s => s.ReadAsync(cancellationToken)).ToArray();
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
        for (int i = 0; i < sensors.Length; i++)
        {
            RackSensor sensor = sensors[i];
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

                if (lostSensors.Remove(sensor.Name))
                {
                    events.Raise(RackEvent.Info("alarm", "sensor-restored", null, $"Sensor {sensor} reads {t} again; fans follow the curve again."));
                }

                continue;
            }

            // Whatever the failure (a typed sensor error, or an I/O error enumerating hwmon), the sensor is lost.
            Exception error = read.Exception!.InnerException ?? read.Exception;
            lost.Add(sensor.Name);
            if (lostSensors.Add(sensor.Name))
            {
                bool blind = lost.Count == sensors.Length && lostSensors.Count == sensors.Length;
                string detail = $"Sensor {sensor} cannot be read: {error.Message} Fans run at 100 % until it reads again.";
                events.Raise(blind
                    ? RackEvent.Critical("alarm", "sensor-lost", null, detail)
                    : RackEvent.Warning("alarm", "sensor-lost", null, detail));
            }
        }

        return new RackAirReading(maxInlet, maxExhaust, lost, now);
    }

    private async Task CheckTachometersAsync(CancellationToken cancellationToken)
    {
        foreach (FanGroup group in groups)
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
                    events.Raise(RackEvent.Warning("alarm", "tachometer-lost", null, $"Tachometer {group.TachometerInput} of fan group {group.Name} cannot be read: {e.Message} Fan failure cannot be detected until it reads again."));
                }

                continue;
            }

            if (group.TachometerLost)
            {
                group.TachometerLost = false;
                events.Raise(RackEvent.Info("alarm", "tachometer-restored", null, $"Tachometer {group.TachometerInput} of fan group {group.Name} reads {speed} again."));
            }

            string duty = group.DutyPercent.ToString("0.#", CultureInfo.InvariantCulture);
            switch (detector.Observe(speed, group.DutyPercent))
            {
                case FanHealthChange.Failed:
                    events.Raise(RackEvent.Critical("alarm", "fan-failed", null,
                        $"Fan group {group.Name} turns at {speed}, under its minimum {group.MinRpm} rpm, at {duty} % duty for {detector.LowReads} reads in a row ({group.TachometerInput}). Check the fans for a seized rotor, a loose plug or a cut sense wire."));
                    break;
                case FanHealthChange.Recovered:
                    events.Raise(RackEvent.Info("alarm", "fan-recovered", null, $"Fan group {group.Name} turns at {speed} again at {duty} % duty."));
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
