using System.Text.Json;

namespace CloudMining.Farm.Tests.Influx;

/// <summary>Rows of an influxd <c>/query</c> JSON reply as (series name, column → value) pairs, for asserting exact values.</summary>
public static class InfluxQueryResult
{
    public static IReadOnlyList<(string Measurement, Dictionary<string, JsonElement> Row)> Rows(string json)
    {
        var rows = new List<(string, Dictionary<string, JsonElement>)>();
        using JsonDocument doc = JsonDocument.Parse(json);
        foreach (JsonElement result in doc.RootElement.GetProperty("results").EnumerateArray())
        {
            if (!result.TryGetProperty("series", out JsonElement series))
            {
                continue;
            }

            foreach (JsonElement s in series.EnumerateArray())
            {
                string name = s.GetProperty("name").GetString()!;
                string[] columns = s.GetProperty("columns").EnumerateArray().Select(c => c.GetString()!).ToArray();
                foreach (JsonElement values in s.GetProperty("values").EnumerateArray())
                {
                    var row = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
                    int i = 0;
                    foreach (JsonElement v in values.EnumerateArray())
                    {
                        row[columns[i++]] = v.Clone();
                    }

                    rows.Add((name, row));
                }
            }
        }

        return rows;
    }
}
