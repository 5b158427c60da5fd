using System.Device.Gpio;
using CloudMining.Farm.Agent.Configuration;
using CloudMining.Farm.Agent.Events;
using CloudMining.Farm.Gpio;
using Microsoft.Extensions.Logging;

namespace CloudMining.Farm.Agent.Power;

/// <summary>
/// Switches the rack's PDU outlets through their GPIO relay lines (<see cref="IMinerPower"/>): minimum off time per
/// outlet, power-ons at least <see cref="PowerOptions.PowerUpGap"/> apart rack-wide (inrush), at most
/// <see cref="PowerOptions.MaxConcurrentCycles"/> power-cycles at once, and a relay event for every switch.
/// </summary>
/// <remarks>
/// All waiting goes through the <see cref="TimeProvider"/>. On shutdown the lines are left as they are: with
/// normally-closed wiring a released line de-energises the coil, which keeps the outlet powered.
/// </remarks>
public sealed partial class RelayController : IMinerPower, IDisposable
{
    private readonly GpioController _gpio;
    private readonly PowerOptions _power;
    private readonly RackEventBus _events;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Dictionary<string, Outlet> _byMiner = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, Outlet> _byOutlet = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<Outlet> _outlets = [];
    private readonly SemaphoreSlim _cycleSlots;
    private readonly SemaphoreSlim _inrushGate = new(1, 1);
    private readonly string? _stateDirectory;
    private readonly Dictionary<string, KeptOffOutlet> _keptOff = new(StringComparer.OrdinalIgnoreCase);
    private readonly Lock _keptOffGate = new();
    private DateTimeOffset? _lastPowerOnAt;
    private int _cyclesInProgress;
    private bool _opened;

    /// <param name="stateDirectory">Where relays.json remembers outlets switched off on purpose; null keeps that in memory only.</param>
    public RelayController(GpioDriver driver, IEnumerable<RelayOptions> relays, PowerOptions power, RackEventBus events, TimeProvider time, ILogger<RelayController> logger, string? stateDirectory = null)
    {
        _stateDirectory = stateDirectory;
        ArgumentNullException.ThrowIfNull(driver);
        ArgumentNullException.ThrowIfNull(relays);
        _power = power ?? throw new ArgumentNullException(nameof(power));
        _events = events ?? throw new ArgumentNullException(nameof(events));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _gpio = new GpioController(driver);
        foreach (RelayOptions r in relays)
        {
            var outlet = new Outlet(r);
            _outlets.Add(outlet);
            _byMiner[r.Miner] = outlet;
            _byOutlet[r.Outlet] = outlet;
        }

        _cycleSlots = new SemaphoreSlim(Math.Max(1, power.MaxConcurrentCycles));
    }

    /// <summary>The outlets in map order.</summary>
    public IReadOnlyList<RelayOptions> Relays => _outlets.Select(o => o.Options).ToArray();

    /// <summary>Power-cycles running right now (never more than MaxConcurrentCycles).</summary>
    public int CyclesInProgress => Volatile.Read(ref _cyclesInProgress);

    /// <summary>
    /// Takes every relay line: reads where it stands and keeps it there as an output, so opening never switches an
    /// outlet. Returns the outlets found off; an outlet found off counts as switched off now (its real off time is
    /// unknown), so the minimum off time runs from here.
    /// </summary>
    public IReadOnlyList<RelayOptions> Open()
    {
        var off = new List<RelayOptions>();
        DateTimeOffset now = _time.GetUtcNow();
        foreach (Outlet o in _outlets)
        {
            int line = o.Options.Line;
            _gpio.OpenPin(line);
            PinValue level = ReadAsFound(line);
            _gpio.Write(line, level); // an output keeps its level; an input remembers it for the switch below
            if (_gpio.GetPinMode(line) != PinMode.Output)
            {
                _gpio.SetPinMode(line, PinMode.Output); // driven at `level` from the first instant
            }

            o.PoweredOn = RelayWiring.IsPowered(level, o.Options.ActiveLow, o.Options.NormallyClosed);
            if (!o.PoweredOn)
            {
                o.OffSince = now;
                off.Add(o.Options);
            }
        }

        LoadKeptOff();
        _opened = true;
        if (_logger.IsEnabled(LogLevel.Information))
        {
            LogOpened(_logger, _outlets.Count, _outlets.Count - off.Count, off.Count);
        }

        return off;
    }

    /// <summary>Switches on every outlet that is off, one at a time, <see cref="PowerOptions.PowerUpGap"/> apart; outlets already on are not touched, an outlet that fails is skipped.</summary>
    public async Task PowerUpRackAsync(string reason, CancellationToken cancellationToken)
    {
        foreach (Outlet o in _outlets)
        {
            if (!o.PoweredOn && KeptOff(o) is { } kept)
            {
                _events.Raise(RackEvent.Info("relay", "kept-off", o.Options.Miner,
                    $"{Describe(o)} stays OFF: it was switched off on purpose at {kept.Since:u} ({kept.Reason}); whatever switched it off, or `farm-agent relay test {o.Options.Outlet}`, brings it back."));
            }
            else if (!o.PoweredOn)
            {
                try
                {
                    await PowerOnAsync(o, reason, cancellationToken);
                }
                catch (Exception e) when (e is GpioChipException or InvalidOperationException or IOException)
                {
                    // Already a critical relay-failed event; one bad relay must not keep the rest of the rack dark.
                }
            }
        }
    }

    public bool HasRelay(string minerId) => minerId is not null && _byMiner.ContainsKey(minerId);

    public bool IsPoweredOn(string minerId) => Find(minerId).PoweredOn;

    /// <summary>The relay entry of an outlet label ("PDU-A/7"), or null.</summary>
    public RelayOptions? FindOutlet(string outlet) => _byOutlet.TryGetValue(outlet, out Outlet? o) ? o.Options : null;

    public async Task PowerOffAsync(string minerId, string reason, CancellationToken cancellationToken)
    {
        Outlet o = Find(minerId);
        await o.Gate.WaitAsync(cancellationToken);
        try
        {
            SwitchOff(o, reason);
            RememberKeptOff(o, reason);
        }
        finally
        {
            o.Gate.Release();
        }
    }

    public Task PowerOnAsync(string minerId, string reason, CancellationToken cancellationToken) => PowerOnAsync(Find(minerId), reason, cancellationToken);

    public async Task PowerCycleAsync(string minerId, string reason, CancellationToken cancellationToken)
    {
        Outlet o = Find(minerId);
        await _cycleSlots.WaitAsync(cancellationToken);
        Interlocked.Increment(ref _cyclesInProgress);
        try
        {
            await o.Gate.WaitAsync(cancellationToken);
            try
            {
                SwitchOff(o, "power-cycle: " + reason);
                await SwitchOnLockedAsync(o, "power-cycle: " + reason, cancellationToken);
            }
            finally
            {
                o.Gate.Release();
            }
        }
        finally
        {
            Interlocked.Decrement(ref _cyclesInProgress);
            _cycleSlots.Release();
        }
    }

    /// <summary>Releases the lines without switching them (see the class remarks).</summary>
    public void Dispose()
    {
        _gpio.Dispose();
        _cycleSlots.Dispose();
        _inrushGate.Dispose();
        foreach (Outlet o in _outlets)
        {
            o.Gate.Dispose();
        }
    }

    private async Task PowerOnAsync(Outlet o, string reason, CancellationToken cancellationToken)
    {
        await o.Gate.WaitAsync(cancellationToken);
        try
        {
            await SwitchOnLockedAsync(o, reason, cancellationToken);
        }
        finally
        {
            o.Gate.Release();
        }
    }

    private void SwitchOff(Outlet o, string reason)
    {
        EnsureOpened();
        if (!o.PoweredOn)
        {
            return;
        }

        Write(o, powered: false, reason);
        o.PoweredOn = false;
        o.OffSince = _time.GetUtcNow();
        _events.Raise(RackEvent.Warning("relay", "power-off", o.Options.Miner, $"{Describe(o)} switched OFF: {reason}"));
    }

    // Caller holds the outlet's gate: nobody else switches this outlet while we wait out its off time and our turn.
    private async Task SwitchOnLockedAsync(Outlet o, string reason, CancellationToken cancellationToken)
    {
        EnsureOpened();
        if (o.PoweredOn)
        {
            return;
        }

        if (o.OffSince is { } offSince)
        {
            TimeSpan wait = offSince + _power.MinOffTime - _time.GetUtcNow();
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, _time, cancellationToken);
            }
        }

        // Rack-wide: power-ons one at a time and PowerUpGap apart, whoever asks (start-up, watchdog, technician).
        await _inrushGate.WaitAsync(cancellationToken);
        try
        {
            if (_lastPowerOnAt is { } last)
            {
                TimeSpan wait = last + _power.PowerUpGap - _time.GetUtcNow();
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, _time, cancellationToken);
                }
            }

            Write(o, powered: true, reason);
            o.PoweredOn = true;
            o.OffSince = null;
            _lastPowerOnAt = _time.GetUtcNow();
        }
        finally
        {
            _inrushGate.Release();
        }

        ForgetKeptOff(o);

        _events.Raise(RackEvent.Info("relay", "power-on", o.Options.Miner, $"{Describe(o)} switched ON: {reason}"));
    }

    private KeptOffOutlet? KeptOff(Outlet o)
    {
        lock (_keptOffGate)
        {
            return _keptOff.TryGetValue(o.Options.Outlet, out KeptOffOutlet? k) ? k : null;
        }
    }

    private void RememberKeptOff(Outlet o, string reason)
    {
        lock (_keptOffGate)
        {
            _keptOff[o.Options.Outlet] = new KeptOffOutlet(o.Options.Outlet, o.Options.Miner, _time.GetUtcNow(), reason);
            SaveKeptOffLocked();
        }
    }

    private void ForgetKeptOff(Outlet o)
    {
        lock (_keptOffGate)
        {
            if (_keptOff.Remove(o.Options.Outlet))
            {
                SaveKeptOffLocked();
            }
        }
    }

    // Only outlets still in the map and found off count: a rewired rack or an outlet switched on by hand starts clean.
    private void LoadKeptOff()
    {
        if (_stateDirectory is null)
        {
            return;
        }

        try
        {
            lock (_keptOffGate)
            {
                foreach (KeptOffOutlet k in RelayStateFile.Read(_stateDirectory).KeptOff)
                {
                    if (_byOutlet.TryGetValue(k.Outlet, out Outlet? o) && !o.PoweredOn)
                    {
                        _keptOff[k.Outlet] = k;
                    }
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            LogStateFailed(_logger, RelayStateFile.PathIn(_stateDirectory), e.Message);
        }
    }

    private void SaveKeptOffLocked()
    {
        if (_stateDirectory is null)
        {
            return;
        }

        try
        {
            RelayStateFile.Write(_stateDirectory, new RelayStateDocument { KeptOff = _keptOff.Values.OrderBy(k => k.Outlet, StringComparer.Ordinal).ToArray() });
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LogStateFailed(_logger, RelayStateFile.PathIn(_stateDirectory), e.Message);
        }
    }

    private void Write(Outlet o, bool powered, string reason)
    {
        PinValue level = RelayWiring.LevelFor(powered, o.Options.ActiveLow, o.Options.NormallyClosed);
        try
        {
            _gpio.Write(o.Options.Line, level);
        }
        catch (Exception e) when (e is GpioChipException or InvalidOperationException or IOException)
        {
            _events.Raise(RackEvent.Critical("relay", "relay-failed", o.Options.Miner,
                $"{Describe(o)} could not be switched {(powered ? "ON" : "OFF")} ({reason}): {e.Message}. Check the relay board and Agent:Hardware:GpioChip."));
            throw;
        }
    }

    /// <summary>
    /// The level a line stands at when the agent takes it. A driver that reads a line only once it is requested
    /// (libgpiod 1's LibGpiodDriver) gets it as an input first, as the chardev driver before it did.
    /// </summary>
    private PinValue ReadAsFound(int line)
    {
        try
        {
            return _gpio.Read(line);
        }
        catch (IOException)
        {
            _gpio.SetPinMode(line, PinMode.Input);
            return _gpio.Read(line);
        }
    }

    private void EnsureOpened()
    {
        if (!_opened)
        {
            throw new InvalidOperationException("The relay lines are not open yet; call Open() first.");
        }
    }

    private Outlet Find(string minerId)
    {
        ArgumentNullException.ThrowIfNull(minerId);
        return _byMiner.TryGetValue(minerId, out Outlet? o)
            ? o
            : throw new InvalidOperationException($"Miner '{minerId}' has no relay in Agent:Hardware:Relays; it cannot be switched by the agent.");
    }

    private static string Describe(Outlet o) => $"outlet {o.Options.Outlet} (line {o.Options.Line}) feeding {o.Options.Miner}";

    [LoggerMessage(Level = LogLevel.Information, Message = "Relay lines open: {Outlets} outlets, {On} on, {Off} off")]
    private static partial void LogOpened(ILogger logger, int outlets, int on, int off);

    [LoggerMessage(Level = LogLevel.Error, Message = "Relay state {RelayStatePath}: {Error}; outlets switched off on purpose may be powered up at the next start")]
    private static partial void LogStateFailed(ILogger logger, string relayStatePath, string error);

    private sealed class Outlet(RelayOptions options)
    {
        public RelayOptions Options { get; } = options;

        public SemaphoreSlim Gate { get; } = new(1, 1);

        public bool PoweredOn { get; set; }

        public DateTimeOffset? OffSince { get; set; }
    }
}
