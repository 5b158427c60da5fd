using System.Globalization;
using CloudMining.Farm.Controller.Ingest;
using CloudMining.Farm.Shared.Units;

namespace CloudMining.Farm.Controller.Fleet;

/// <summary>
/// The physical envelope of one telemetry reading: hashrate, power and chip temperature must be finite and inside what
/// a real machine can do (the model's configured maximum, else a multiple of its nominal hashrate, else an absolute
/// ceiling). Pure and stateless; <see cref="SuspectMiners"/> turns its verdicts into the suspect flag.
/// </summary>
public sealed class ReadingEnvelope
{
    private readonly ReadingEnvelopeOptions _options;
    private readonly Dictionary<string, ModelReadingLimits> _models;

    public ReadingEnvelope(ReadingEnvelopeOptions? options = null)
    {
        _options = options ?? new ReadingEnvelopeOptions();
        ReadingEnvelopeOptionsValidator.Validate(_options);

        // The configuration binder may replace the dictionary (and its comparer): models match case-insensitively here.
        _models = new Dictionary<string, ModelReadingLimits>(_options.Models, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>What is implausible about the reading, as a sentence for the operator; null when it is inside the envelope.</summary>
    public string? Problem(MinerLiveState live)
    {
        ArgumentNullException.ThrowIfNull(live);
        double absolute = _options.MaxHashrateTh * 1e12;
        ModelReadingLimits? model = live.Model is { } name && _models.TryGetValue(name, out ModelReadingLimits? l) ? l : null;
        double ceiling = absolute;
        string ceilingText = $"the absolute ceiling of {Rate(absolute)}";
        if (live.HashrateNominalHs is { } nominal)
        {
            if (!double.IsFinite(nominal) || nominal < 0 || nominal > absolute)
            {
                return $"nominal hashrate {Rate(nominal)} is outside 0..{Rate(absolute)}";
            }

            if (nominal > 0)
            {
                ceiling = Math.Min(absolute, nominal * _options.MaxOverNominal);
                ceilingText = $"{_options.MaxOverNominal.ToString("0.##", CultureInfo.InvariantCulture)}× its nominal {Rate(nominal)}";
            }
        }

        if (model?.MaxHashrateTh is { } modelMax)
        {
            ceiling = Math.Min(absolute, modelMax * 1e12);
            ceilingText = $"the {Rate(ceiling)} configured for model {live.Model}";
        }

        if ((Hashrate("average hashrate", live.HashrateAverageHs, ceiling, ceilingText) ?? Hashrate("5 s hashrate", live.Hashrate5sHs, ceiling, ceilingText)) is { } problem)
        {
            return problem;
        }

        if (live.PowerW is { } watts)
        {
            double maxPower = model?.MaxPowerW ?? _options.MaxPowerW;
            if (!double.IsFinite(watts) || watts < 0 || watts > maxPower)
            {
                return $"power {Number(watts)} W is outside 0..{Number(maxPower)} W";
            }
        }

        if (live.MaxChipTempC is { } celsius && (!double.IsFinite(celsius) || celsius < _options.MinChipTempC || celsius > _options.MaxChipTempC))
        {
            return $"chip temperature {Number(celsius)} °C is outside {Number(_options.MinChipTempC)}..{Number(_options.MaxChipTempC)} °C";
        }

        return null;
    }

    /// <summary>A hashrate as people read it, or in scientific notation when it is beyond any unit (1e300 H/s).</summary>
    internal static string Rate(double hs) =>
        double.IsFinite(hs) && Math.Abs(hs) < 1e21 ? new Hashrate(hs).ToString() : Number(hs) + " H/s";

    private static string Number(double value) =>
        double.IsFinite(value) && Math.Abs(value) < 1e9 ? value.ToString("0.##", CultureInfo.InvariantCulture) : value.ToString("G4", CultureInfo.InvariantCulture);

    private static string? Hashrate(string what, double? value, double ceiling, string ceilingText) => value switch
    {
        null => null,
        { } v when !double.IsFinite(v) => $"{what} {Number(v)} H/s is not a finite number",
        < 0 => $"{what} {Rate(value.Value)} is negative",
        { } v when v > ceiling => $"{what} {Rate(v)} is above {ceilingText}",
        _ => null,
    };
}
