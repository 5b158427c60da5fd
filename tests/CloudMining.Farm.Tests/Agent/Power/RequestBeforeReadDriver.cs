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
    private readonly GpioController inner = new(chip);
    private readonly HashSet<int> requested = [];

    protected override int PinCount => inner.PinCount;

    protected override void OpenPin(int pinNumber) => inner.OpenPin(pinNumber);

    protected override void ClosePin(int pinNumber)
    {
        requested.Remove(pinNumber);
        inner.ClosePin(pinNumber);
    }

    protected override void SetPinMode(int pinNumber, PinMode mode)
    {
        inner.SetPinMode(pinNumber, mode);
        requested.Add(pinNumber);
    }

    protected override void SetPinMode(int pinNumber, PinMode mode, PinValue initialValue)
    {
        inner.Write(pinNumber, initialValue); // remembered, then driven from the first instant of the output request
        inner.SetPinMode(pinNumber, mode);
        requested.Add(pinNumber);
    }

    protected override PinMode GetPinMode(int pinNumber) => inner.GetPinMode(pinNumber);

    protected override bool IsPinModeSupported(int pinNumber, PinMode mode) => inner.IsPinModeSupported(pinNumber, mode);

    protected override PinValue Read(int pinNumber) => requested.Contains(pinNumber) ? inner.Read(pinNumber) : throw NotRequested(pinNumber);

    protected override void Write(int pinNumber, PinValue value)
    {
        if (!requested.Contains(pinNumber))
        {
            throw NotRequested(pinNumber);
        }

        inner.Write(pinNumber, value);
    }

    protected override WaitForEventResult WaitForEvent(int pinNumber, PinEventTypes eventTypes, CancellationToken cancellationToken) => throw new NotSupportedException();

    protected override void AddCallbackForPinValueChangedEvent(int pinNumber, PinEventTypes eventTypes, PinChangeEventHandler callback) => throw new NotSupportedException();

    protected override void RemoveCallbackForPinValueChangedEvent(int pinNumber, PinChangeEventHandler callback) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    private static IOException NotRequested(int pinNumber) => new($"Error reading pin {pinNumber}: Operation not permitted (the line is not requested)");
}
