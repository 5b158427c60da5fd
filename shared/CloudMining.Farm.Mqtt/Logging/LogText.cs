namespace CloudMining.Farm.Mqtt.Logging;

/// <summary>Keeps text that came from the wire short enough for a log line: a rack must not be able to write megabytes into our logs.</summary>
public static class LogText
{
    /// <summary>Default length kept of a topic, payload excerpt or error message.</summary>
    public const int DefaultMaxLength = 200;

    /// <summary>The text cut to <paramref name="maxLength"/> characters with the count of what was cut; control characters become '?'.</summary>
    public static string Bound(string? text, int maxLength = DefaultMaxLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, 1);
        if (string.IsNullOrEmpty(text))
        {
            return string.Empty;
        }

        int keep = Math.Min(text.Length, maxLength);
        if (keep < text.Length && char.IsHighSurrogate(text[keep - 1]))
        {
            keep--;
        }

        var cleaned = string.Create(keep, text, static (span, source) =>
        {
            for (int i = 0; i < span.Length; i++)
            {
                char c = source[i];
                span[i] = char.IsControl(c) ? '?' : c;
            }
        });
        return keep == text.Length ? cleaned : $"{cleaned}… (+{text.Length - keep} chars)";
    }
}
