using System.Globalization;

namespace CloudMining.Farm.Shared.Units;

/// <summary>A hashrate, always held in hashes per second whatever unit a firmware reported it in.</summary>
public readonly record struct Hashrate : IComparable<Hashrate>
{
    private static readonly double[] Factors = [1, 1e3, 1e6, 1e9, 1e12, 1e15, 1e18];

    public Hashrate(double hashesPerSecond)
    {
        if (double.IsNaN(hashesPerSecond) || double.IsInfinity(hashesPerSecond))
        {
            throw new ArgumentOutOfRangeException(nameof(hashesPerSecond), hashesPerSecond, "A hashrate must be a finite number of H/s.");
        }

        HashesPerSecond = hashesPerSecond;
    }

    public double HashesPerSecond { get; }

    public static Hashrate Zero => default;

    public double TerahashesPerSecond => HashesPerSecond / 1e12;

    public static Hashrate From(double value, HashrateUnit unit) => new(value * Factor(unit));

    public static Hashrate FromMegahashes(double mhs) => From(mhs, HashrateUnit.MH);

    public static Hashrate FromGigahashes(double ghs) => From(ghs, HashrateUnit.GH);

    public static Hashrate FromTerahashes(double ths) => From(ths, HashrateUnit.TH);

    public double In(HashrateUnit unit) => HashesPerSecond / Factor(unit);

    public static double Factor(HashrateUnit unit) => Factors[(int)unit];

    /// <summary>Parses a unit name as firmwares and people write it: "GH/s", "ghs", "TH", "MHS", "H/s".</summary>
    public static bool TryParseUnit(ReadOnlySpan<char> text, out HashrateUnit unit)
    {
        Span<char> buffer = stackalloc char[8];
        int n = 0;
        foreach (char c in text.Trim())
        {
            if (c is '/' or ' ')
            {
                continue;
            }

            if (n == buffer.Length)
            {
                unit = default;
                return false;
            }

            buffer[n++] = char.ToUpperInvariant(c);
        }

        ReadOnlySpan<char> s = buffer[..n];
        if (s.EndsWith("S") && s.Length > 1)
        {
            s = s[..^1];
        }

        unit = s switch
        {
            "H" => HashrateUnit.H,
            "K" or "KH" => HashrateUnit.KH,
            "M" or "MH" => HashrateUnit.MH,
            "G" or "GH" => HashrateUnit.GH,
            "T" or "TH" => HashrateUnit.TH,
            "P" or "PH" => HashrateUnit.PH,
            "E" or "EH" => HashrateUnit.EH,
            _ => (HashrateUnit)(-1),
        };
        return (int)unit >= 0;
    }

    /// <summary>Parses "14.2 TH/s", "13500 GH/s", "95T" or a bare number of H/s; false also when the value is beyond a double (1e300 TH/s).</summary>
    public static bool TryParse(string? text, out Hashrate hashrate)
    {
        hashrate = default;
        if (!TryParseParts(text, out double value, out HashrateUnit unit) || !double.IsFinite(value) || !double.IsFinite(value * Factor(unit)))
        {
            return false;
        }

        hashrate = From(value, unit);
        return true;
    }

    /// <summary>
    /// Splits "14.2 TH/s" into its number and unit without judging the number: it may be infinite ("1e999") or overflow
    /// once scaled, so a caller can say which. False when the text is not a number followed by an optional unit.
    /// </summary>
    public static bool TryParseParts(string? text, out double value, out HashrateUnit unit)
    {
        value = 0;
        unit = HashrateUnit.H;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        ReadOnlySpan<char> span = text.AsSpan().Trim();
        int i = 0;
        while (i < span.Length && (char.IsDigit(span[i]) || span[i] is '.' or '-' or '+' or 'e' or 'E'))
        {
            // 'e' only counts as an exponent when a digit follows; otherwise it starts the unit ("EH/s").
            if (span[i] is 'e' or 'E' && (i + 1 >= span.Length || !(char.IsDigit(span[i + 1]) || span[i + 1] is '-' or '+')))
            {
                break;
            }

            i++;
        }

        if (!double.TryParse(span[..i], NumberStyles.Float, CultureInfo.InvariantCulture, out value) || double.IsNaN(value))
        {
            return false;
        }

        ReadOnlySpan<char> rest = span[i..].Trim();
        return rest.IsEmpty || TryParseUnit(rest, out unit);
    }

    public static Hashrate Parse(string text) =>
        TryParse(text, out Hashrate h)
            ? h
            : throw new FormatException($"'{text}' is not a hashrate; write a number and a unit such as '110 TH/s' or '13500 GH/s'.");

    /// <summary>The largest unit that keeps the value at or above 1, as people read it.</summary>
    public HashrateUnit NaturalUnit()
    {
        double abs = Math.Abs(HashesPerSecond);
        for (int u = (int)HashrateUnit.EH; u > 0; u--)
        {
            if (abs >= Factors[u])
            {
                return (HashrateUnit)u;
            }
        }

        return HashrateUnit.H;
    }

    public string Format(HashrateUnit unit, int decimals = 2) =>
        In(unit).ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture) + " " + unit + "/s";

    public override string ToString() => Format(NaturalUnit());

    public int CompareTo(Hashrate other) => HashesPerSecond.CompareTo(other.HashesPerSecond);

    public static Hashrate operator +(Hashrate a, Hashrate b) => new(a.HashesPerSecond + b.HashesPerSecond);

    public static Hashrate operator -(Hashrate a, Hashrate b) => new(a.HashesPerSecond - b.HashesPerSecond);

    public static Hashrate operator *(Hashrate a, double k) => new(a.HashesPerSecond * k);

    public static Hashrate operator /(Hashrate a, double k) => new(a.HashesPerSecond / k);

    public static double operator /(Hashrate a, Hashrate b) => a.HashesPerSecond / b.HashesPerSecond;

    public static bool operator <(Hashrate a, Hashrate b) => a.HashesPerSecond < b.HashesPerSecond;

    public static bool operator >(Hashrate a, Hashrate b) => a.HashesPerSecond > b.HashesPerSecond;

    public static bool operator <=(Hashrate a, Hashrate b) => a.HashesPerSecond <= b.HashesPerSecond;

    public static bool operator >=(Hashrate a, Hashrate b) => a.HashesPerSecond >= b.HashesPerSecond;
}
