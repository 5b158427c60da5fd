using CloudMining.Farm.Shared.Units;

namespace CloudMining.Farm.Agent.Thermal;

/// <summary>
/// One input of the fan loop (inlet, exhaust or chips) through its curve with a dead band: the demand follows a rising
/// temperature at once, but falls only once the temperature is more than the hysteresis below the temperature that set
/// the current demand, and then as if the temperature were that much higher. So a reading wobbling by less than the
/// hysteresis never moves the fans, and a falling temperature lowers them a step behind.
/// </summary>
public sealed class HysteresisFanDemand
{
    private readonly FanCurve _curve;
    private readonly double _hysteresisCelsius;
    private double? _heldCelsius;

    public HysteresisFanDemand(FanCurve curve, double hysteresisCelsius)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(hysteresisCelsius);
        _curve = curve ?? throw new ArgumentNullException(nameof(curve));
        _hysteresisCelsius = hysteresisCelsius;
    }

    /// <summary>The temperature the demand is currently taken at; null while the input has no reading.</summary>
    public Temperature? Held => _heldCelsius is { } c ? Temperature.FromCelsius(c) : null;

    /// <summary>Folds in the latest reading and returns the duty this input asks for; null when it has no reading (it then starts afresh).</summary>
    public double? Update(Temperature? reading)
    {
        if (reading is not { } t)
        {
            _heldCelsius = null;
            return null;
        }

        if (_heldCelsius is not { } held || t.Celsius > held)
        {
            _heldCelsius = t.Celsius;
        }
        else if (t.Celsius < held - _hysteresisCelsius)
        {
            _heldCelsius = t.Celsius + _hysteresisCelsius;
        }

        return _curve.DutyAt(Temperature.FromCelsius(_heldCelsius.Value));
    }
}
