using System.Text;
using CloudMining.Farm.Influx.LineProtocol;
using Xunit;
using InfluxDB.Client.Writes;

namespace CloudMining.Farm.Tests.Influx;

/// <summary>Seeded random names through InfluxDB.Client's PointData, read back with an independent scanner of the reference's escaping rules.</summary>
public sealed class LineProtocolPropertyTests
{
    internal const string Alphabet = "abcXYZ019 ,=\"\\_-.é日🚀";

    internal static string RandomName(Random random, int maxLength = 12)
    {
        var text = new StringBuilder();
        int length = random.Next(1, maxLength + 1);
        while (text.Length < length)
        {
            // Pick a text element (the rocket is two UTF-16 units) so we never split a surrogate pair.
            System.Globalization.TextElementEnumerator elements = System.Globalization.StringInfo.GetTextElementEnumerator(Alphabet);
            int pick = random.Next(new System.Globalization.StringInfo(Alphabet).LengthInTextElements);
            for (int i = 0; i <= pick; i++)
            {
                elements.MoveNext();
            }

            text.Append(elements.GetTextElement());
        }

        return text.ToString();
    }

    [Fact]
    public void Random_names_the_package_can_carry_round_trip_through_the_escaping_rules()
    {
        var random = new Random(20261121);
        int roundTripped = 0;
        for (int i = 0; i < 2000; i++)
        {
            string measurement = RandomName(random);
            string tagKey = RandomName(random);
            string tagValue = RandomName(random);
            string fieldKey = RandomName(random);
            string fieldValue = RandomName(random);
            if (!new[] { measurement, tagKey, tagValue, fieldKey }.All(LineProtocolNames.CanCarry))
            {
                continue;
            }

            string line = PointData.Measurement(measurement).Tag(tagKey, tagValue).Field(fieldKey, fieldValue).ToLineProtocol();

            (string m, string tk, string tv, string fk, string fv) = Scan(line);
            Assert.Equal(measurement, m);
            Assert.Equal(tagKey, tk);
            Assert.Equal(tagValue, tv);
            Assert.Equal(fieldKey, fk);
            Assert.Equal(fieldValue, fv);
            roundTripped++;
        }

        // Most random names are representable; a generator that only produced rejections would prove nothing.
        Assert.True(roundTripped > 1000, $"only {roundTripped} of 2000 points were representable");
    }

    // An independent reader for "m,tk=tv fk="fv"": a backslash escapes the next char; the separators are the reference's.
    private static (string, string, string, string, string) Scan(string line)
    {
        int i = 0;
        string m = ReadUntil(line, ref i, ",", ", ");
        i++;
        string tk = ReadUntil(line, ref i, "=", ",= ");
        i++;
        string tv = ReadUntil(line, ref i, " ", ",= ");
        i++;
        string fk = ReadUntil(line, ref i, "=", ",= ");
        i++;
        Assert.Equal('"', line[i]);
        Assert.Equal('"', line[^1]);
        string fv = line[(i + 1)..^1].Replace("\\\"", "\"", StringComparison.Ordinal).Replace("\\\\", "\\", StringComparison.Ordinal);
        return (m, tk, tv, fk, fv);
    }

    private static string ReadUntil(string line, ref int i, string stop, string escapable)
    {
        var text = new StringBuilder();
        while (i < line.Length && !stop.Contains(line[i], StringComparison.Ordinal))
        {
            if (line[i] == '\\' && i + 1 < line.Length && escapable.Contains(line[i + 1], StringComparison.Ordinal))
            {
                i++;
            }

            text.Append(line[i]);
            i++;
        }

        return text.ToString();
    }
}
