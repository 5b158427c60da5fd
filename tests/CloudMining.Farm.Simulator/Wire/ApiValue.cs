using System.Globalization;
using System.Text;

namespace CloudMining.Farm.Simulator.Wire;

/// <summary>One value of a reply object, with the number format the imitated firmware prints it in.</summary>
public readonly record struct ApiValue
{
    private ApiValue(ApiValueKind kind, string? text, double number, int decimals)
    {
        Kind = kind;
        Text = text;
        Number = number;
        Decimals = decimals;
    }

    public ApiValueKind Kind { get; }

    public string? Text { get; }

    public double Number { get; }

    public int Decimals { get; }

    public static ApiValue Str(string text) => new(ApiValueKind.Text, text, 0, 0);

    public static ApiValue Whole(long value) => new(ApiValueKind.Whole, null, value, 0);

    /// <summary>A number with a fixed count of decimals, as cgminer's C printf("%.Nf") writes it (e.g. 0.00000000).</summary>
    public static ApiValue Fixed(double value, int decimals) => new(ApiValueKind.Fixed, null, value, decimals);

    /// <summary>A number in shortest round-trip form with at least one decimal, as Rust's serde (BOSminer) or Python writes it.</summary>
    public static ApiValue Real(double value) => new(ApiValueKind.Real, null, value, 0);

    public static ApiValue Bool(bool value) => new(ApiValueKind.Flag, null, value ? 1 : 0, 0);

    /// <summary>The value as text, without JSON quoting or escaping.</summary>
    public string Render()
    {
        switch (Kind)
        {
            case ApiValueKind.Text:
                return Text ?? string.Empty;
            case ApiValueKind.Whole:
                return ((long)Number).ToString(CultureInfo.InvariantCulture);
            case ApiValueKind.Fixed:
                return Number.ToString("F" + Decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
            case ApiValueKind.Real:
                string r = Number.ToString("R", CultureInfo.InvariantCulture);
                return r.Contains('.', StringComparison.Ordinal) || r.Contains('E', StringComparison.Ordinal) ? r : r + ".0";
            default:
                return Number != 0 ? "true" : "false";
        }
    }

    internal void WriteJson(StringBuilder sb)
    {
        if (Kind == ApiValueKind.Text)
        {
            sb.Append('"');
            JsonText.AppendEscaped(sb, Text ?? string.Empty);
            sb.Append('"');
        }
        else
        {
            sb.Append(Render());
        }
    }
}
