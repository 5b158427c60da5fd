namespace CloudMining.Farm.Gpio;

/// <summary>The logical value of a pin (after active-low inversion), shaped like System.Device.Gpio.PinValue.</summary>
public readonly struct PinValue : IEquatable<PinValue>
{
    private readonly byte _value;

    private PinValue(byte value) => _value = value;

    public static PinValue Low => new(0);

    public static PinValue High => new(1);

    public static implicit operator PinValue(int value) => value == 0 ? Low : High;

    public static implicit operator PinValue(bool value) => value ? High : Low;

    public static explicit operator int(PinValue value) => value._value;

    public static explicit operator bool(PinValue value) => value._value != 0;

    public static bool operator ==(PinValue a, PinValue b) => a.Equals(b);

    public static bool operator !=(PinValue a, PinValue b) => !a.Equals(b);

    public static PinValue operator !(PinValue value) => value._value == 0 ? High : Low;

    public static PinValue FromInt32(int value) => value;

    public static PinValue FromBoolean(bool value) => value;

    public int ToInt32() => _value;

    public bool ToBoolean() => _value != 0;

    public static PinValue LogicalNot(PinValue value) => !value;

    public bool Equals(PinValue other) => _value == other._value;

    public override bool Equals(object? obj) => obj is PinValue other && Equals(other);

    public override int GetHashCode() => _value;

    public override string ToString() => _value == 0 ? "Low" : "High";
}
