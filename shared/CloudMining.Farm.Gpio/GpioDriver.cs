namespace CloudMining.Farm.Gpio;

/// <summary>One mechanism for reaching GPIO lines (chardev ioctls, sysfs, simulator); <see cref="GpioController"/> is the front type callers use.</summary>
/// <remarks>Member names follow System.Device.Gpio.GpioDriver so the real package can replace this seam. Values are logical:
/// a driver configured with active-low lines inverts them before they reach the wire.</remarks>
public abstract class GpioDriver : IDisposable
{
    private bool _disposed;

    /// <summary>The number of lines the chip offers.</summary>
    protected internal abstract int PinCount { get; }

    protected internal abstract void OpenPin(int pinNumber);

    protected internal abstract void ClosePin(int pinNumber);

    protected internal abstract void SetPinMode(int pinNumber, PinMode mode);

    /// <summary>Configures a pin as output and drives it to <paramref name="initialValue"/> in one step, so a relay never glitches through the wrong level.</summary>
    protected internal virtual void SetPinMode(int pinNumber, PinMode mode, PinValue initialValue)
    {
        SetPinMode(pinNumber, mode);
        if (mode == PinMode.Output)
        {
            Write(pinNumber, initialValue);
        }
    }

    protected internal abstract PinMode GetPinMode(int pinNumber);

    protected internal abstract bool IsPinModeSupported(int pinNumber, PinMode mode);

    protected internal abstract PinValue Read(int pinNumber);

    protected internal abstract void Write(int pinNumber, PinValue value);

    protected internal virtual void Toggle(int pinNumber) => Write(pinNumber, !Read(pinNumber));

    /// <summary>Drivers that cannot deliver edge events say so instead of silently never calling back.</summary>
    protected internal virtual void AddCallbackForPinValueChangedEvent(int pinNumber, PinEventTypes eventTypes, PinChangeEventHandler callback) =>
        throw new NotSupportedException($"{GetType().Name} does not deliver pin change events; poll Read on an interval or use a driver that supports edge events.");

    protected internal virtual void RemoveCallbackForPinValueChangedEvent(int pinNumber, PinChangeEventHandler callback) =>
        throw new NotSupportedException($"{GetType().Name} does not deliver pin change events.");

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
    }
}
