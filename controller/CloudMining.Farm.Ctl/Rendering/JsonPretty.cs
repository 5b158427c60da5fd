using System.Text;
using System.Text.Json;

namespace CloudMining.Farm.Ctl.Rendering;

/// <summary>Re-indents the controller's JSON for --json, keeping every property and value exactly as sent.</summary>
public static class JsonPretty
{
    public static string Format(string json)
    {
        using JsonDocument doc = JsonDocument.Parse(json);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            doc.WriteTo(writer);
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
