using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace CloudMining.Farm.Shared.MinerApi;

/// <summary>
/// Turns cgminer's plain-text form (<c>STATUS=S,When=1,Code=7,Msg=2 Pool(s),Description=x|POOL=0,URL=..,User=..|</c>)
/// into the JSON form, so the decoder has one shape to read. Records are separated by '|', fields by ',', name from value by '='.
/// </summary>
internal static class PlainTextReply
{
    /// <summary>True when the bytes look like the plain-text form rather than JSON.</summary>
    public static bool Looks(ReadOnlySpan<byte> reply) => reply.StartsWith("STATUS="u8);

    public static byte[] ToJson(ReadOnlySpan<byte> reply, string command)
    {
        string text = Encoding.UTF8.GetString(reply);
        var buffer = new ArrayBufferWriter<byte>(reply.Length * 2 + 64);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            string[] records = text.Split('|', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            bool sectionOpen = false;
            foreach (string record in records)
            {
                string[] fields = record.Split(',');
                if (fields[0].StartsWith("STATUS=", StringComparison.Ordinal))
                {
                    writer.WritePropertyName("STATUS");
                    writer.WriteStartArray();
                    WriteRecord(writer, fields, 0);
                    writer.WriteEndArray();
                    continue;
                }

                if (!sectionOpen)
                {
                    // A first field without '=' names the section (SUMMARY,Elapsed=..); otherwise it is the command's own.
                    string section = fields[0].Contains('=', StringComparison.Ordinal) ? SectionFor(command) : fields[0];
                    writer.WritePropertyName(section);
                    writer.WriteStartArray();
                    sectionOpen = true;
                }

                WriteRecord(writer, fields, fields[0].Contains('=', StringComparison.Ordinal) ? 0 : 1);
            }

            if (sectionOpen)
            {
                writer.WriteEndArray();
            }

            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteRecord(Utf8JsonWriter writer, string[] fields, int from)
    {
        writer.WriteStartObject();
        for (int i = from; i < fields.Length; i++)
        {
            string field = fields[i];
            int eq = field.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                continue;
            }

            string name = field[..eq];
            string value = field[(eq + 1)..];
            writer.WritePropertyName(name);
            if (name.Length > 0 && !string.Equals(name, "STATUS", StringComparison.Ordinal)
                && value.Length > 0 && (char.IsDigit(value[0]) || value[0] == '-')
                && double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double number) && double.IsFinite(number))
            {
                writer.WriteNumberValue(number);
            }
            else if (value is "true" or "false")
            {
                writer.WriteBooleanValue(value == "true");
            }
            else
            {
                writer.WriteStringValue(value);
            }
        }

        writer.WriteEndObject();
    }

    private static string SectionFor(string command) => command.ToLowerInvariant() switch
    {
        "edevs" => "DEVS",
        "estats" => "STATS",
        _ => command.ToUpperInvariant(),
    };
}
