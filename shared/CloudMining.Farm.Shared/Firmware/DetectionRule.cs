using System.Text.Json;
using CloudMining.Farm.Shared.MinerApi;

namespace CloudMining.Farm.Shared.Firmware;

/// <summary>One test on one reply: a key exists (or a key starts with a prefix), optionally with a value that contains, starts with or equals a text.</summary>
public sealed record DetectionRule(string Command, string? Section, string? Key, string? KeyStartsWith, string? Contains, string? StartsWith, string? EqualsValue)
{
    /// <summary>When set, the value's first run of 8 digits (a firmware date, yyyymmdd) must be at least this.</summary>
    public int? DateAtLeast { get; init; }

    /// <summary>True when <paramref name="reply"/> passes the test.</summary>
    public bool Matches(ApiReply reply)
    {
        ArgumentNullException.ThrowIfNull(reply);
        if (Section is null)
        {
            // STATUS-level test, e.g. Description contains "btminer".
            return reply.Status is { } status && Key is not null && TestText(Key switch
            {
                _ when Key.Equals("Description", StringComparison.OrdinalIgnoreCase) => status.Description,
                _ when Key.Equals("Msg", StringComparison.OrdinalIgnoreCase) => status.Msg,
                _ => null,
            });
        }

        foreach (JsonElement item in reply.SectionObjects(Section))
        {
            if (KeyStartsWith is not null)
            {
                foreach (JsonProperty property in item.EnumerateObject())
                {
                    if (property.Name.StartsWith(KeyStartsWith, StringComparison.OrdinalIgnoreCase) && TestText(JsonLookup.GetText(property.Value) ?? string.Empty))
                    {
                        return true;
                    }
                }
            }
            else if (Key is not null && JsonLookup.TryGetProperty(item, Key, out JsonElement value) && TestText(JsonLookup.GetText(value) ?? string.Empty))
            {
                return true;
            }
        }

        return false;
    }

    private bool TestText(string? text)
    {
        if (text is null)
        {
            return false;
        }

        return (Contains is null || text.Contains(Contains, StringComparison.OrdinalIgnoreCase))
            && (StartsWith is null || text.StartsWith(StartsWith, StringComparison.OrdinalIgnoreCase))
            && (EqualsValue is null || text.Equals(EqualsValue, StringComparison.OrdinalIgnoreCase))
            && (DateAtLeast is null || (FirstDate(text) is { } date && date >= DateAtLeast));
    }

    private static int? FirstDate(string text)
    {
        for (int i = 0; i + 8 <= text.Length; i++)
        {
            int run = 0;
            while (i + run < text.Length && char.IsAsciiDigit(text[i + run]))
            {
                run++;
            }

            if (run == 8)
            {
                return int.Parse(text.AsSpan(i, 8), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture);
            }

            i += run;
        }

        return null;
    }
}
