using System.Globalization;
using System.Text;

namespace CloudMining.Farm.Shared.Wire;

/// <summary>
/// Makes text that came from outside (a desired state, a miner's reply) safe to echo in a log line, an event or a
/// payload: control characters are shown escaped (<c>\u000A</c>) and anything past a bound is cut, with an ellipsis
/// and the original length (<c>stratum+tcp://aaaa… (10485760 chars)</c>), so one bad input cannot make a 20 MB log
/// line or a message the broker refuses. The result never exceeds <c>maxChars</c> plus <see cref="MaxSuffixChars"/>.
/// </summary>
public static class BoundedText
{
    /// <summary>How much of an echoed value is kept by default: enough to recognise it, never enough to hurt.</summary>
    public const int DefaultMaxChars = 200;

    /// <summary>The longest suffix <see cref="Echo"/> adds after the kept text ("… (2147483647 chars)").</summary>
    public const int MaxSuffixChars = 20;

    /// <summary>
    /// <paramref name="text"/> with control characters escaped, cut to at most <paramref name="maxChars"/> characters
    /// (escapes included) plus "… (N chars)" when it was longer. Null is returned as the empty string.
    /// </summary>
    public static string Echo(string? text, int maxChars = DefaultMaxChars)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxChars, 1);
        if (string.IsNullOrEmpty(text))
        {
            return string.Empty;
        }

        if (text.Length <= maxChars && !text.Any(char.IsControl))
        {
            return text;
        }

        var kept = new StringBuilder(Math.Min(text.Length, maxChars) + MaxSuffixChars);
        int i = 0;
        for (; i < text.Length; i++)
        {
            char c = text[i];
            string piece = char.IsControl(c) ? $"\\u{(int)c:X4}" : char.IsHighSurrogate(c) && i + 1 < text.Length ? text.Substring(i, 2) : c.ToString();
            if (kept.Length + piece.Length > maxChars)
            {
                break;
            }

            kept.Append(piece);
            i += piece.Length == 2 && char.IsHighSurrogate(c) ? 1 : 0;
        }

        if (i < text.Length)
        {
            kept.Append("… (").Append(text.Length.ToString(CultureInfo.InvariantCulture)).Append(" chars)");
        }

        return kept.ToString();
    }
}
