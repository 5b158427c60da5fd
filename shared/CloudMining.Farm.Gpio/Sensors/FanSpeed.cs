using System.Globalization;

namespace CloudMining.Farm.Gpio.Sensors;

/// <summary>A fan's rotational speed in revolutions per minute, as hwmon tachometers report it.</summary>
public readonly record struct FanSpeed(int RevolutionsPerMinute) : IComparable<FanSpeed>
{
    public static FanSpeed FromRpm(int rpm) => new(rpm);

    /// <summary>A tachometer reading 0 means the fan is stopped, seized, or its sense wire is not connected.</summary>
    public bool IsStopped => RevolutionsPerMinute == 0;

    public int CompareTo(FanSpeed other) => RevolutionsPerMinute.CompareTo(other.RevolutionsPerMinute);

    public override string ToString() => RevolutionsPerMinute.ToString(CultureInfo.InvariantCulture) + " rpm";

    public static bool operator <(FanSpeed a, FanSpeed b) => a.RevolutionsPerMinute < b.RevolutionsPerMinute;

    public static bool operator >(FanSpeed a, FanSpeed b) => a.RevolutionsPerMinute > b.RevolutionsPerMinute;

    public static bool operator <=(FanSpeed a, FanSpeed b) => a.RevolutionsPerMinute <= b.RevolutionsPerMinute;

    public static bool operator >=(FanSpeed a, FanSpeed b) => a.RevolutionsPerMinute >= b.RevolutionsPerMinute;
}
