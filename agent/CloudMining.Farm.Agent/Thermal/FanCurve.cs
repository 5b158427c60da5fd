using CloudMining.Farm.Agent.Configuration;
using CloudMining.Farm.Shared.Units;

namespace CloudMining.Farm.Agent.Thermal;

/// <summary>A fan curve: duty in percent as a piecewise-linear function of temperature, flat beyond its first and last points.</summary>
public sealed class FanCurve
{
    private readonly (double Celsius, double Duty)[] _points;

    /// <summary>Points must rise in temperature and not fall in duty; <see cref="ThermalOptionsValidator"/> checks configured curves first.</summary>
    public FanCurve(IEnumerable<(double TemperatureCelsius, double DutyPercent)> points)
    {
        ArgumentNullException.ThrowIfNull(points);
        _points = points.Select(p => (p.TemperatureCelsius, p.DutyPercent)).ToArray();
        if (_points.Length == 0)
        {
            throw new ArgumentException("A fan curve needs at least one point.", nameof(points));
        }

        for (int i = 1; i < _points.Length; i++)
        {
            if (_points[i].Celsius <= _points[i - 1].Celsius || _points[i].Duty < _points[i - 1].Duty)
            {
                throw new ArgumentException("Fan curve points must rise in temperature and must not fall in duty.", nameof(points));
            }
        }
    }

    public IReadOnlyList<(double TemperatureCelsius, double DutyPercent)> Points => _points;

    /// <summary>The configured curve, or the built-in one while the configuration lists no points.</summary>
    public static FanCurve FromOptions(IList<FanCurvePointOptions> configured, IReadOnlyList<(double TemperatureCelsius, double DutyPercent)> fallback)
    {
        ArgumentNullException.ThrowIfNull(configured);
        return configured.Count == 0
            ? new FanCurve(fallback)
            : new FanCurve(configured.Select(p => (p.TemperatureCelsius, p.DutyPercent)));
    }

    public double DutyAt(Temperature temperature)
    {
        double t = temperature.Celsius;
        if (t <= _points[0].Celsius)
        {
            return _points[0].Duty;
        }

        for (int i = 1; i < _points.Length; i++)
        {
            if (t <= _points[i].Celsius)
            {
                (double t0, double d0) = _points[i - 1];
                (double t1, double d1) = _points[i];
                return d0 + ((d1 - d0) * (t - t0) / (t1 - t0));
            }
        }

        return _points[^1].Duty;
    }
}
