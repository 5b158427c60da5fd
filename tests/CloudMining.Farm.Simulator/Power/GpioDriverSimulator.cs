using System.Device.Gpio;
using CloudMining.Farm.Gpio;

namespace CloudMining.Farm.Simulator.Power;

/// <summary>A GPIO chip in memory, as a System.Device.Gpio <see cref="GpioDriver"/>: N lines with modes, values and active-low wiring, change events for the ASIC simulator, and injectable faults.</summary>
/// <remarks>The rack simulator subscribes to <see cref="LineChanged"/> so a miner's power follows its relay line; tests use
/// <see cref="SetInputLevel"/> to play the outside world and the Inject* methods to play a broken board.</remarks>
public sealed class GpioDriverSimulator : GpioDriver
{
    private readonly Lock _gate = new();
    private readonly Line[] _lines;
    private string? _chipOpenFailure;

    public GpioDriverSimulator(int pinCount, IEnumerable<int>? activeLowPins = null, string chipName = "sim-gpiochip0")
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(pinCount);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(pinCount, 64);
        ChipName = chipName;
        _lines = new Line[pinCount];
        for (int i = 0; i < pinCount; i++)
        {
            _lines[i] = new Line();
        }

        foreach (int pin in activeLowPins ?? [])
        {
            LineAt(pin).ActiveLow = true;
        }
    }

    /// <summary>Raised after any line's level changes (outputs written, inputs driven from outside), outside the driver's lock.</summary>
    public event EventHandler<SimulatedLineChangedEventArgs>? LineChanged;

    public string ChipName { get; }

    protected override int PinCount => _lines.Length;

    /// <summary>Makes every following OpenPin fail as a chip that cannot be opened would (missing device, permissions).</summary>
    public void InjectChipOpenFailure(string reason)
    {
        lock (_gate)
        {
            _chipOpenFailure = reason;
        }
    }

    /// <summary>Makes reads and writes of one line fail, as a line held by another consumer or a dead expander would.</summary>
    public void InjectLineFailure(int pinNumber, string reason)
    {
        lock (_gate)
        {
            LineAt(pinNumber).Failure = reason;
        }
    }

    public void ClearFaults()
    {
        lock (_gate)
        {
            _chipOpenFailure = null;
            foreach (Line line in _lines)
            {
                line.Failure = null;
            }
        }
    }

    /// <summary>The electrical level of a line right now, whether or not it is open.</summary>
    public PinValue GetPhysicalLevel(int pinNumber)
    {
        lock (_gate)
        {
            return Physical(LineAt(pinNumber));
        }
    }

    public bool IsActiveLow(int pinNumber)
    {
        lock (_gate)
        {
            return LineAt(pinNumber).ActiveLow;
        }
    }

    public bool IsOpen(int pinNumber)
    {
        lock (_gate)
        {
            return LineAt(pinNumber).Open;
        }
    }

    /// <summary>Drives a line from outside the chip (a switch, a sensor output); only inputs see it.</summary>
    public void SetInputLevel(int pinNumber, PinValue physicalLevel)
    {
        Change? change;
        lock (_gate)
        {
            Line line = LineAt(pinNumber);
            PinValue before = Logical(line);
            line.ExternalLevel = physicalLevel;
            change = Describe(pinNumber, line, before);
        }

        Raise(change);
    }

    protected override void OpenPin(int pinNumber)
    {
        lock (_gate)
        {
            if (_chipOpenFailure is not null)
            {
                throw new GpioChipException($"Cannot open simulated chip {ChipName}: {_chipOpenFailure}.", ChipName);
            }

            Line line = LineAt(pinNumber);
            if (line.Open)
            {
                throw new GpioChipException($"Line {pinNumber} of {ChipName} is busy: another consumer holds it.", ChipName);
            }

            line.Open = true;
        }
    }

    protected override void ClosePin(int pinNumber)
    {
        lock (_gate)
        {
            Line line = LineAt(pinNumber);
            line.Open = false;
            line.Callbacks.Clear();
        }
    }

    protected override void SetPinMode(int pinNumber, PinMode mode) => Mutate(pinNumber, line => line.Mode = mode);

    protected override void SetPinMode(int pinNumber, PinMode mode, PinValue initialValue) =>
        Mutate(pinNumber, line =>
        {
            line.Mode = mode;
            if (mode == PinMode.Output)
            {
                // Atomic, like the kernel's output-values attribute: no glitch through the old value.
                line.OutputValue = initialValue;
            }
        });

    protected override PinMode GetPinMode(int pinNumber)
    {
        lock (_gate)
        {
            return LineAt(pinNumber).Mode;
        }
    }

    protected override bool IsPinModeSupported(int pinNumber, PinMode mode) => Enum.IsDefined(mode);

    protected override PinValue Read(int pinNumber)
    {
        lock (_gate)
        {
            Line line = LineAt(pinNumber);
            ThrowIfFailed(pinNumber, line);
            return Logical(line);
        }
    }

    protected override void Write(int pinNumber, PinValue value) => Mutate(pinNumber, line => line.OutputValue = value);

    /// <summary>Changes one line under the lock and raises its change event (if any) outside it, so callbacks may re-enter.</summary>
    private void Mutate(int pinNumber, Action<Line> change)
    {
        Change? raised;
        lock (_gate)
        {
            Line line = LineAt(pinNumber);
            ThrowIfFailed(pinNumber, line);
            PinValue before = Logical(line);
            change(line);
            raised = Describe(pinNumber, line, before);
        }

        Raise(raised);
    }

    protected override void AddCallbackForPinValueChangedEvent(int pinNumber, PinEventTypes eventTypes, PinChangeEventHandler callback)
    {
        lock (_gate)
        {
            LineAt(pinNumber).Callbacks.Add((eventTypes, callback));
        }
    }

    protected override void RemoveCallbackForPinValueChangedEvent(int pinNumber, PinChangeEventHandler callback)
    {
        lock (_gate)
        {
            LineAt(pinNumber).Callbacks.RemoveAll(c => c.Handler == callback);
        }
    }

    protected override WaitForEventResult WaitForEvent(int pinNumber, PinEventTypes eventTypes, CancellationToken cancellationToken)
    {
        using var seen = new ManualResetEventSlim();
        PinEventTypes kind = PinEventTypes.None;
        void OnChange(object sender, PinValueChangedEventArgs e)
        {
            kind = e.ChangeType;
            seen.Set();
        }

        AddCallbackForPinValueChangedEvent(pinNumber, eventTypes, OnChange);
        try
        {
            return seen.Wait(Timeout.Infinite, cancellationToken)
                ? new WaitForEventResult { EventTypes = kind, TimedOut = false }
                : new WaitForEventResult { EventTypes = PinEventTypes.None, TimedOut = true };
        }
        catch (OperationCanceledException)
        {
            return new WaitForEventResult { EventTypes = PinEventTypes.None, TimedOut = true };
        }
        finally
        {
            RemoveCallbackForPinValueChangedEvent(pinNumber, OnChange);
        }
    }

    private static PinValue Logical(Line line) => line.Mode switch
    {
        PinMode.Output => line.OutputValue,
        _ => line.ActiveLow ? !InputPhysical(line) : InputPhysical(line),
    };

    private static PinValue Physical(Line line) => line.Mode == PinMode.Output
        ? (line.ActiveLow ? !line.OutputValue : line.OutputValue)
        : InputPhysical(line);

    // An undriven input floats to its pull; without one it rests at the inactive level, as relay boards pull their
    // inputs to "off" (High for active-low boards). Real hardware would be undefined; the simulator picks the safe state.
    private static PinValue InputPhysical(Line line) => line.ExternalLevel ?? line.Mode switch
    {
        PinMode.InputPullUp => PinValue.High,
        PinMode.InputPullDown => PinValue.Low,
        _ => line.ActiveLow ? PinValue.High : PinValue.Low,
    };

    private static void ThrowIfFailed(int pinNumber, Line line)
    {
        if (line.Failure is { } failure)
        {
            throw new GpioChipException($"Line {pinNumber} failed: {failure}.", devicePath: null);
        }
    }

    private static Change? Describe(int pinNumber, Line line, PinValue logicalBefore)
    {
        PinValue after = Logical(line);
        if (after == logicalBefore)
        {
            return null;
        }

        PinEventTypes kind = after == PinValue.High ? PinEventTypes.Rising : PinEventTypes.Falling;
        PinChangeEventHandler[] handlers = line.Open
            ? line.Callbacks.Where(c => (c.Types & kind) != 0).Select(c => c.Handler).ToArray()
            : [];
        return new Change(pinNumber, after, Physical(line), kind, handlers);
    }

    // Handlers run outside the lock so they may call back into the driver (a relay callback reading a sensor line).
    private void Raise(Change? change)
    {
        if (change is null)
        {
            return;
        }

        LineChanged?.Invoke(this, new SimulatedLineChangedEventArgs(change.Pin, change.Logical, change.Physical));
        var args = new PinValueChangedEventArgs(change.Kind, change.Pin);
        foreach (PinChangeEventHandler handler in change.Handlers)
        {
            handler(this, args);
        }
    }

    private Line LineAt(int pinNumber)
    {
        if (pinNumber < 0 || pinNumber >= _lines.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(pinNumber), pinNumber, $"{ChipName} has lines 0..{_lines.Length - 1}.");
        }

        return _lines[pinNumber];
    }

    private sealed record Change(int Pin, PinValue Logical, PinValue Physical, PinEventTypes Kind, PinChangeEventHandler[] Handlers);

    private sealed class Line
    {
        public bool Open { get; set; }

        public bool ActiveLow { get; set; }

        public PinMode Mode { get; set; } = PinMode.Input;

        public PinValue OutputValue { get; set; } = PinValue.Low;

        public PinValue? ExternalLevel { get; set; }

        public string? Failure { get; set; }

        public List<(PinEventTypes Types, PinChangeEventHandler Handler)> Callbacks { get; } = [];
    }
}
