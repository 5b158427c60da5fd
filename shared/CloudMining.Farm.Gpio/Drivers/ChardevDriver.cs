namespace CloudMining.Farm.Gpio.Drivers;

/// <summary>GPIO through the Linux character device (/dev/gpiochipN) with the uAPI v2 ioctls: no libgpiod, no sysfs.</summary>
/// <remarks>Each open pin is its own line request (its own file descriptor), so a pin's mode changes without touching the
/// others. Active-low lines are flagged to the kernel, which then inverts values for us. See docs/gpio.md for why.</remarks>
public sealed partial class ChardevDriver : GpioDriver
{
    /// <summary>The label other tools (gpioinfo) show as the consumer of lines we hold.</summary>
    public const string ConsumerLabel = "farm-agent";

    private readonly Lock _gate = new();
    private readonly HashSet<int> _activeLow;
    private readonly Dictionary<int, OpenLine> _lines = [];
    private int _chipFd = -1;

    /// <summary>Opens /dev/gpiochip<paramref name="chipNumber"/>.</summary>
    public ChardevDriver(int chipNumber, IEnumerable<int>? activeLowPins = null)
        : this($"/dev/gpiochip{chipNumber}", activeLowPins)
    {
    }

    /// <summary>Opens the chip device at <paramref name="chipPath"/> and reads its line count; throws <see cref="GpioChipException"/> saying what to check.</summary>
    public ChardevDriver(string chipPath, IEnumerable<int>? activeLowPins = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(chipPath);
        ChipPath = chipPath;
        _activeLow = [.. activeLowPins ?? []];
        OpenChip();
    }

    public string ChipPath { get; }

    /// <summary>The kernel's name for the chip (gpiochip0) and its label (pinctrl-bcm2711), from GPIO_GET_CHIPINFO_IOCTL.</summary>
    public string ChipName { get; private set; } = "";

    public string ChipLabel { get; private set; } = "";

    protected internal override int PinCount => LineCount;

    private int LineCount { get; set; }

    protected internal override void OpenPin(int pinNumber)
    {
        lock (_gate)
        {
            ThrowIfClosed();
            if (_lines.ContainsKey(pinNumber))
            {
                return;
            }

            // Requesting as input first leaves an already-driven output alone until the caller says what it wants.
            int fd = RequestLine(pinNumber, PinMode.Input);
            _lines[pinNumber] = new OpenLine(fd, PinMode.Input);
        }
    }

    protected internal override void ClosePin(int pinNumber)
    {
        lock (_gate)
        {
            if (_lines.Remove(pinNumber, out OpenLine? line))
            {
                Release(line);
            }
        }
    }

    protected internal override void SetPinMode(int pinNumber, PinMode mode)
    {
        lock (_gate)
        {
            OpenLine line = LineOf(pinNumber);
            ThrowIfWatchedOutput(pinNumber, line, mode);
            Reconfigure(pinNumber, line.Fd, mode, initialValue: null, edges: line.Watcher is not null);
            line.Mode = mode;
        }
    }

    protected internal override void SetPinMode(int pinNumber, PinMode mode, PinValue initialValue)
    {
        lock (_gate)
        {
            OpenLine line = LineOf(pinNumber);
            ThrowIfWatchedOutput(pinNumber, line, mode);
            Reconfigure(pinNumber, line.Fd, mode, mode == PinMode.Output ? initialValue : null, edges: line.Watcher is not null);
            line.Mode = mode;
        }
    }

    protected internal override PinMode GetPinMode(int pinNumber)
    {
        lock (_gate)
        {
            return LineOf(pinNumber).Mode;
        }
    }

    protected internal override bool IsPinModeSupported(int pinNumber, PinMode mode) => Enum.IsDefined(mode);

    protected internal override PinValue Read(int pinNumber)
    {
        lock (_gate)
        {
            OpenLine line = LineOf(pinNumber);
            ThrowIfWatchFailed(pinNumber, line);
            return GetValue(pinNumber, line.Fd);
        }
    }

    /// <summary>Turns on edge detection for an input line and delivers its edges on a watcher thread.</summary>
    protected internal override void AddCallbackForPinValueChangedEvent(int pinNumber, PinEventTypes eventTypes, PinChangeEventHandler callback)
    {
        lock (_gate)
        {
            OpenLine line = LineOf(pinNumber);
            ThrowIfWatchFailed(pinNumber, line);
            if (line.Mode == PinMode.Output)
            {
                throw new InvalidOperationException($"Line {pinNumber} of {ChipPath} is an output; edge events need an input.");
            }

            if (line.Watcher is null)
            {
                Reconfigure(pinNumber, line.Fd, line.Mode, initialValue: null, edges: true);
                line.Watcher = StartWatcher(pinNumber, line);
            }

            line.Callbacks.Add((eventTypes, callback));
        }
    }

    protected internal override void RemoveCallbackForPinValueChangedEvent(int pinNumber, PinChangeEventHandler callback)
    {
        lock (_gate)
        {
            // The watcher keeps running until the pin closes; with no handlers its edges are simply dropped.
            LineOf(pinNumber).Callbacks.RemoveAll(c => c.Handler == callback);
        }
    }

    protected internal override void Write(int pinNumber, PinValue value)
    {
        lock (_gate)
        {
            SetValue(pinNumber, LineOf(pinNumber).Fd, value);
        }
    }

    protected override void Dispose(bool disposing)
    {
        lock (_gate)
        {
            foreach (OpenLine line in _lines.Values)
            {
                Release(line);
            }

            _lines.Clear();
            if (_chipFd >= 0)
            {
                CloseFd(_chipFd);
                _chipFd = -1;
            }
        }

        base.Dispose(disposing);
    }

    private bool IsActiveLow(int pinNumber) => _activeLow.Contains(pinNumber);

    private static void ThrowIfWatchedOutput(int pinNumber, OpenLine line, PinMode mode)
    {
        if (mode == PinMode.Output && line.Watcher is not null)
        {
            throw new InvalidOperationException($"Line {pinNumber} has edge callbacks; close and reopen the pin to use it as an output.");
        }
    }

    private void ThrowIfWatchFailed(int pinNumber, OpenLine line)
    {
        if (line.WatchFailure is { } failure)
        {
            throw new GpioChipException($"Edge events on line {pinNumber} of {ChipPath} stopped: {failure.Message} Close and reopen the pin.", ChipPath, innerException: failure);
        }
    }

    private void Dispatch(int pinNumber, OpenLine line, PinEventTypes kind)
    {
        PinChangeEventHandler[] handlers;
        lock (_gate)
        {
            handlers = line.Callbacks.Where(c => (c.Types & kind) != 0).Select(c => c.Handler).ToArray();
        }

        var args = new PinValueChangedEventArgs(kind, pinNumber);
        foreach (PinChangeEventHandler handler in handlers)
        {
            handler(this, args);
        }
    }

    // Once a watcher exists it owns the line fd and closes it itself; see LineEventWatcher.
    private static void Release(OpenLine line)
    {
        line.Callbacks.Clear();
        if (line.Watcher is { } watcher)
        {
            watcher.Stop();
        }
        else
        {
            CloseFd(line.Fd);
        }
    }

    private OpenLine LineOf(int pinNumber)
    {
        ThrowIfClosed();
        return _lines.TryGetValue(pinNumber, out OpenLine? line)
            ? line
            : throw new InvalidOperationException($"Line {pinNumber} of {ChipPath} is not open; call OpenPin first.");
    }

    private void ThrowIfClosed() => ObjectDisposedException.ThrowIf(_chipFd < 0, this);

    private sealed class OpenLine(int fd, PinMode mode)
    {
        public int Fd { get; } = fd;

        public PinMode Mode { get; set; } = mode;

        public List<(PinEventTypes Types, PinChangeEventHandler Handler)> Callbacks { get; } = [];

        public Chardev.LineEventWatcher? Watcher { get; set; }

        public Exception? WatchFailure { get; set; }
    }
}
