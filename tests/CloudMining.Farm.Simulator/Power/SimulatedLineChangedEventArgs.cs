using System.Device.Gpio;

namespace CloudMining.Farm.Simulator.Power;

/// <summary>A simulated line changed level: what the program sees (logical) and what the wire carries (physical, after active-low).</summary>
public sealed class SimulatedLineChangedEventArgs : EventArgs
{
    public SimulatedLineChangedEventArgs(int pinNumber, PinValue logicalValue, PinValue physicalLevel)
    {
        PinNumber = pinNumber;
        LogicalValue = logicalValue;
        PhysicalLevel = physicalLevel;
    }

    public int PinNumber { get; }

    public PinValue LogicalValue { get; }

    /// <summary>The electrical level; a relay board wired active-low energises its coil when this is Low.</summary>
    public PinValue PhysicalLevel { get; }
}
