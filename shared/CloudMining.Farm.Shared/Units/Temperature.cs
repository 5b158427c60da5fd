using System.Globalization;

namespace CloudMining.Farm.Shared.Units;

/// <summary>A temperature in degrees Celsius.</summary>
public readonly record struct Temperature(double Celsius) : IComparable<Temperature>
{
    public static Temperature FromCelsius(double celsius) => new(celsius);

    public int CompareTo(Temperature other) => Celsius.CompareTo(other.Celsius);

    public override string ToString() => Celsius.ToString("F1", CultureInfo.InvariantCulture) + " °C";

    public static bool operator <(Temperature a, Temperature b) => a.Celsius < b.Celsius;

    public static bool operator >(Temperature a, Temperature b) => a.Celsius > b.Celsius;

    public static bool operator <=(Temperature a, Temperature b) => a.Celsius <= b.Celsius;

    public static bool operator >=(Temperature a, Temperature b) => a.Celsius >= b.Celsius;
}
