namespace CloudMining.Farm.Shared.Wire;

/// <summary>
/// What counts as a miner's serial number on the wire and in the proof: the firmware's own text, trimmed, printable,
/// at most <see cref="MinerStatePayload.MaxSerialChars"/> characters, and not one of the placeholders firmwares put
/// where they have none ("", "0", "000000", "N/A", "none", "null", "unknown", "-"). Anything else is no serial
/// (null), so a consumer shows <see cref="Unknown"/> rather than a made-up or mangled value.
/// </summary>
public static class MinerSerial
{
    /// <summary>How the proof, its exports and pages show a miner whose firmware gives no serial.</summary>
    public const string Unknown = "unknown";

    private static readonly string[] Placeholders = ["n/a", "na", "none", "null", "unknown", "-", "--"];

    /// <summary>The serial to send or store for <paramref name="raw"/>, or null when it is none.</summary>
    public static string? Normalize(string? raw)
    {
        string? s = raw?.Trim().Trim('\'', '"').Trim();
        if (string.IsNullOrEmpty(s) || s.Length > MinerStatePayload.MaxSerialChars)
        {
            return null;
        }

        if (s.Any(c => char.IsControl(c) || char.IsWhiteSpace(c) && c != ' ') || s.All(c => c == '0'))
        {
            return null;
        }

        return Placeholders.Contains(s, StringComparer.OrdinalIgnoreCase) ? null : s;
    }

    /// <summary><paramref name="serial"/> for a person to read: itself, or <see cref="Unknown"/>.</summary>
    public static string Show(string? serial) => string.IsNullOrEmpty(serial) ? Unknown : serial;
}
