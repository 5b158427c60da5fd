using System.Device.Gpio;
using CloudMining.Farm.Gpio.Drivers;
using CloudMining.Farm.Simulator.Power;

namespace CloudMining.Farm.Tests.Agent.Power;

/// <summary>
/// Plays the rule of System.Device.Gpio's LibGpiodDriver (libgpiod 1, Debian bookworm) over the simulated chip: a line
/// that is open but not yet requested (no mode set) cannot be read or written — libgpiod answers EPERM.
/// </summary>
internal sealed class RequestBeforeReadDriver(GpioDriverSimulator chip) : GpioDriver
{
    private readonly GpioController _inner = new(chip);
    private readonly HashSet<int> _requested = [];

    protected override int PinCount => _inner.PinCount;

    protected override void OpenPin(int pinNumber) => _inner.OpenPin(pinNumber);

    protected override void ClosePin(int pinNumber)
    {
        _requested.Remove(pinNumber);
        _inner.ClosePin(pinNumber);
    }

    protected override void SetPinMode(int pinNumber, PinMode mode)
    {
        _inner.SetPinMode(pinNumber, mode);
        _requested.Add(pinNumber);
    }

    protected override void SetPinMode(int pinNumber, PinMode mode, PinValue initialValue)
    {
        _inner.Write(pinNumber, initialValue); // remembered, then driven from the first instant of the output request
        _inner.SetPinMode(pinNumber, mode);
        _requested.Add(pinNumber);
    }

    protected override PinMode GetPinMode(int pinNumber) => _inner.GetPinMode(pinNumber);

    protected override bool IsPinModeSupported(int pinNumber, PinMode mode) => _inner.IsPinModeSupported(pinNumber, mode);

    protected override PinValue Read(int pinNumber) => _requested.Contains(pinNumber) ? _inner.Read(pinNumber) : throw NotRequested(pinNumber);

    protected override void Write(int pinNumber, PinValue value)
    {
        if (!_requested.Contains(pinNumber))
        {
            throw NotRequested(pinNumber);
        }

        _inner.Write(pinNumber, value);
    }

    protected override WaitForEventResult WaitForEvent(int pinNumber, PinEventTypes eventTypes, CancellationToken cancellationToken) => throw new NotSupportedException();

    protected override void AddCallbackForPinValueChangedEvent(int pinNumber, PinEventTypes eventTypes, PinChangeEventHandler callback) => throw new NotSupportedException();

    protected override void RemoveCallbackForPinValueChangedEvent(int pinNumber, PinChangeEventHandler callback) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }

    private static IOException NotRequested(int pinNumber) => new($"Error reading pin {pinNumber}: Operation not permitted (the line is not requested)");
}
