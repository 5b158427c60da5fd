using System.Text;
using System.Text.Json;

namespace CloudMining.Farm.Simulator.Wire;

/// <summary>Parses what a client sent: JSON {"command":..,"parameter":..} or plain "command|parameter", trailing NUL/newline tolerated.</summary>
public static class ApiRequestParser
{
    public static ApiRequest Parse(ReadOnlySpan<byte> bytes)
    {
        string text = Encoding.UTF8.GetString(bytes).TrimEnd('\0', '\n', '\r', ' ').TrimStart();
        if (text.StartsWith('{'))
        {
            return ParseJson(text);
        }

        int bar = text.IndexOf('|', StringComparison.Ordinal);
        string command = bar >= 0 ? text[..bar] : text;
        string? parameter = bar >= 0 ? text[(bar + 1)..] : null;
        return new ApiRequest(Split(command), parameter, IsJson: false);
    }

    /// <summary>True when the bytes hold a whole request (a JSON object closed, or any plain text), so the server can stop reading.</summary>
    public static bool IsComplete(ReadOnlySpan<byte> bytes)
    {
        int i = 0;
        while (i < bytes.Length && bytes[i] is (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t')
        {
            i++;
        }

        if (i == bytes.Length)
        {
            return false;
        }

        if (bytes[i] != (byte)'{')
        {
            return true;
        }

        int depth = 0;
        bool inString = false;
        for (; i < bytes.Length; i++)
        {
            byte b = bytes[i];
            if (inString)
            {
                if (b == (byte)'\\')
                {
                    i++;
                }
                else if (b == (byte)'"')
                {
                    inString = false;
                }

                continue;
            }

            if (b == (byte)'"')
            {
                inString = true;
            }
            else if (b == (byte)'{')
            {
                depth++;
            }
            else if (b == (byte)'}' && --depth == 0)
            {
                return true;
            }
        }

        return false;
    }

    private static ApiRequest ParseJson(string text)
    {
        try
        {
            using JsonDocument doc = JsonDocument.Parse(text);
            if (doc.RootElement.ValueKind != JsonValueKind.Object ||
                !doc.RootElement.TryGetProperty("command", out JsonElement cmd) ||
                cmd.ValueKind != JsonValueKind.String)
            {
                return new ApiRequest([], null, IsJson: true, ApiRequestError.MissingCommand);
            }

            string? parameter = null;
            if (doc.RootElement.TryGetProperty("parameter", out JsonElement p))
            {
                parameter = p.ValueKind switch
                {
                    JsonValueKind.String => p.GetString(),
                    JsonValueKind.Null or JsonValueKind.Undefined => null,
                    _ => p.GetRawText(),
                };
            }

            return new ApiRequest(Split(cmd.GetString() ?? string.Empty), parameter, IsJson: true);
        }
        catch (JsonException)
        {
            return new ApiRequest([], null, IsJson: true, ApiRequestError.InvalidJson);
        }
    }

    private static string[] Split(string command) =>
        command.Split('+', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(c => c.ToLowerInvariant())
            .ToArray();
}
