using System.Globalization;

namespace CloudMining.Farm.Shared.Units;

/// <summary>Electrical power in watts.</summary>
public readonly record struct Power(double Watts) : IComparable<Power>
{
    public static Power FromWatts(double watts) => new(watts);

    public static Power FromKilowatts(double kw) => new(kw * 1000);

    public double Kilowatts => Watts / 1000;

    public int CompareTo(Power other) => Watts.CompareTo(other.Watts);

    public override string ToString() => Watts.ToString("F0", CultureInfo.InvariantCulture) + " W";

    public static Power operator +(Power a, Power b) => new(a.Watts + b.Watts);

    public static bool operator <(Power a, Power b) => a.Watts < b.Watts;

    public static bool operator >(Power a, Power b) => a.Watts > b.Watts;

    public static bool operator <=(Power a, Power b) => a.Watts <= b.Watts;

    public static bool operator >=(Power a, Power b) => a.Watts >= b.Watts;
}
