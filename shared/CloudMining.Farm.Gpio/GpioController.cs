namespace CloudMining.Farm.Gpio;

/// <summary>The front type for GPIO: opens pins, sets modes, reads and writes values through one <see cref="GpioDriver"/>.</summary>
/// <remarks>Shaped like System.Device.Gpio.GpioController (OpenPin, ClosePin, SetPinMode, Read, Write, IsPinOpen, Dispose)
/// so swapping in the real package later is a using-directive change. The controller owns the driver and disposes it.</remarks>
public sealed class GpioController : IDisposable
{
    private readonly GpioDriver _driver;
    private readonly HashSet<int> _openPins = [];
    private readonly Lock _gate = new();
    private bool _disposed;

    public GpioController(GpioDriver driver)
    {
        ArgumentNullException.ThrowIfNull(driver);
        _driver = driver;
    }

    public int PinCount => _driver.PinCount;

    public void OpenPin(int pinNumber)
    {
        lock (_gate)
        {
            ThrowIfDisposed();
            CheckRange(pinNumber);
            if (_openPins.Contains(pinNumber))
            {
                throw new InvalidOperationException($"Pin {pinNumber} is already open; close it first or reuse the open pin.");
            }

            _driver.OpenPin(pinNumber);
            _openPins.Add(pinNumber);
        }
    }

    public void OpenPin(int pinNumber, PinMode mode)
    {
        OpenPin(pinNumber);
        SetPinMode(pinNumber, mode);
    }

    /// <summary>Opens a pin and sets its mode and, for outputs, its first value in one step (a relay must not pulse on open).</summary>
    public void OpenPin(int pinNumber, PinMode mode, PinValue initialValue)
    {
        OpenPin(pinNumber);
        SetPinMode(pinNumber, mode, initialValue);
    }

    public void ClosePin(int pinNumber)
    {
        lock (_gate)
        {
            ThrowIfDisposed();
            ThrowIfNotOpen(pinNumber);
            _driver.ClosePin(pinNumber);
            _openPins.Remove(pinNumber);
        }
    }

    public bool IsPinOpen(int pinNumber)
    {
        lock (_gate)
        {
            return _openPins.Contains(pinNumber);
        }
    }

    public void SetPinMode(int pinNumber, PinMode mode)
    {
        lock (_gate)
        {
            ThrowIfNotOpen(pinNumber);
            ThrowIfUnsupported(pinNumber, mode);
            _driver.SetPinMode(pinNumber, mode);
        }
    }

    public void SetPinMode(int pinNumber, PinMode mode, PinValue initialValue)
    {
        lock (_gate)
        {
            ThrowIfNotOpen(pinNumber);
            ThrowIfUnsupported(pinNumber, mode);
            _driver.SetPinMode(pinNumber, mode, initialValue);
        }
    }

    public PinMode GetPinMode(int pinNumber)
    {
        lock (_gate)
        {
            ThrowIfNotOpen(pinNumber);
            return _driver.GetPinMode(pinNumber);
        }
    }

    public bool IsPinModeSupported(int pinNumber, PinMode mode)
    {
        CheckRange(pinNumber);
        return _driver.IsPinModeSupported(pinNumber, mode);
    }

    public PinValue Read(int pinNumber)
    {
        lock (_gate)
        {
            ThrowIfNotOpen(pinNumber);
            return _driver.Read(pinNumber);
        }
    }

    public void Write(int pinNumber, PinValue value)
    {
        lock (_gate)
        {
            ThrowIfNotOpen(pinNumber);
            if (_driver.GetPinMode(pinNumber) != PinMode.Output)
            {
                throw new InvalidOperationException($"Pin {pinNumber} is an input; set it to PinMode.Output before writing.");
            }

            _driver.Write(pinNumber, value);
        }
    }

    public void Toggle(int pinNumber)
    {
        lock (_gate)
        {
            ThrowIfNotOpen(pinNumber);
            _driver.Toggle(pinNumber);
        }
    }

    public void RegisterCallbackForPinValueChangedEvent(int pinNumber, PinEventTypes eventTypes, PinChangeEventHandler callback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        lock (_gate)
        {
            ThrowIfNotOpen(pinNumber);
            _driver.AddCallbackForPinValueChangedEvent(pinNumber, eventTypes, callback);
        }
    }

    public void UnregisterCallbackForPinValueChangedEvent(int pinNumber, PinChangeEventHandler callback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        lock (_gate)
        {
            ThrowIfNotOpen(pinNumber);
            _driver.RemoveCallbackForPinValueChangedEvent(pinNumber, callback);
        }
    }

    /// <summary>Closes every open pin, then disposes the driver.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            foreach (int pin in _openPins)
            {
                _driver.ClosePin(pin);
            }

            _openPins.Clear();
            _driver.Dispose();
        }
    }

    private void CheckRange(int pinNumber)
    {
        if (pinNumber < 0 || pinNumber >= _driver.PinCount)
        {
            throw new ArgumentOutOfRangeException(nameof(pinNumber), pinNumber, $"The chip has lines 0..{_driver.PinCount - 1}; check the pin map in the agent configuration.");
        }
    }

    private void ThrowIfNotOpen(int pinNumber)
    {
        ThrowIfDisposed();
        if (!_openPins.Contains(pinNumber))
        {
            throw new InvalidOperationException($"Pin {pinNumber} is not open; call OpenPin first.");
        }
    }

    private void ThrowIfUnsupported(int pinNumber, PinMode mode)
    {
        if (!_driver.IsPinModeSupported(pinNumber, mode))
        {
            throw new InvalidOperationException($"Pin {pinNumber} does not support {mode} with {_driver.GetType().Name}.");
        }
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);
}
