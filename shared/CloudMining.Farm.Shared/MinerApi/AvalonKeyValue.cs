using System.Globalization;

namespace CloudMining.Farm.Shared.MinerApi;

/// <summary>
/// Reads Avalon's module strings (<c>MM ID0</c> in stats): <c>Ver[..] Temp[36] Fan1[5730] GHSmm[13646.20] MW[18528 18830]</c>,
/// a sequence of <c>Key[value value …]</c> items.
/// </summary>
public static class AvalonKeyValue
{
    /// <summary>Every key with its space-separated values (a key seen twice keeps its first values).</summary>
    public static IReadOnlyDictionary<string, string[]> Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var result = new Dictionary<string, string[]>(StringComparer.OrdinalIgnoreCase);
        int pos = 0;
        while (TryNext(text, ref pos, out Range key, out Range raw))
        {
            string name = text[key];
            if (!result.ContainsKey(name))
            {
                result[name] = text[raw].Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            }
        }

        return result;
    }

    /// <summary>The raw text between the brackets of <paramref name="key"/>, without allocating.</summary>
    public static bool TryGetRaw(ReadOnlySpan<char> text, ReadOnlySpan<char> key, out ReadOnlySpan<char> raw)
    {
        int pos = 0;
        while (TryNext(text, ref pos, out Range k, out Range r))
        {
            if (text[k].Equals(key, StringComparison.OrdinalIgnoreCase))
            {
                raw = text[r];
                return true;
            }
        }

        raw = default;
        return false;
    }

    /// <summary>The numbers between the brackets of <paramref name="key"/> ("12.5", "49%"); non-numbers are skipped.</summary>
    public static int ReadNumbers(ReadOnlySpan<char> text, ReadOnlySpan<char> key, Span<double> into)
    {
        if (!TryGetRaw(text, key, out ReadOnlySpan<char> raw))
        {
            return 0;
        }

        int n = 0;
        foreach (Range part in raw.Split(' '))
        {
            ReadOnlySpan<char> token = raw[part].Trim().TrimEnd('%');
            if (token.IsEmpty || n == into.Length)
            {
                continue;
            }

            if (double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && double.IsFinite(value))
            {
                into[n++] = value;
            }
        }

        return n;
    }

    private static bool TryNext(ReadOnlySpan<char> text, ref int pos, out Range key, out Range raw)
    {
        while (pos < text.Length)
        {
            int open = text[pos..].IndexOf('[');
            if (open < 0)
            {
                break;
            }

            open += pos;
            int keyStart = open;
            while (keyStart > pos && (char.IsLetterOrDigit(text[keyStart - 1]) || text[keyStart - 1] == '_'))
            {
                keyStart--;
            }

            int close = text[(open + 1)..].IndexOf(']');
            if (close < 0)
            {
                break;
            }

            close += open + 1;
            pos = close + 1;
            if (keyStart == open)
            {
                continue; // a bracket with no name in front of it
            }

            key = keyStart..open;
            raw = (open + 1)..close;
            return true;
        }

        pos = text.Length;
        key = default;
        raw = default;
        return false;
    }
}
