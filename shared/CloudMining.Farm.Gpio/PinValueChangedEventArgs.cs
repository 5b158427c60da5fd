namespace CloudMining.Farm.Gpio;

/// <summary>Describes one value change of a pin, as delivered to a <see cref="PinChangeEventHandler"/>.</summary>
public sealed class PinValueChangedEventArgs : EventArgs
{
    public PinValueChangedEventArgs(PinEventTypes changeType, int pinNumber)
    {
        ChangeType = changeType;
        PinNumber = pinNumber;
    }

    public PinEventTypes ChangeType { get; }

    public int PinNumber { get; }
}
