using System.Text;
using System.Text.Json;

namespace CloudMining.Farm.Shared.MinerApi;

/// <summary>
/// Turns the bytes a miner sent into one <see cref="ApiReply"/> per command, or a typed <see cref="MinerApiError"/>.
/// Strict JSON first; only when that fails are the firmwares' known quirks repaired (see <see cref="JsonRepair"/>).
/// Pure code: no sockets, no clocks.
/// </summary>
public static class ReplyParser
{
    private const int ExcerptRadius = 24;

    private static readonly JsonDocumentOptions StrictOptions = new() { MaxDepth = 64 };

    /// <summary>Parses a reply to <paramref name="command"/>, which may be a multi-command request such as "summary+pools+devs".</summary>
    public static ApiReplySet Parse(ReadOnlyMemory<byte> reply, string command)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(command);
        string[] commands = command.Contains('+', StringComparison.Ordinal)
            ? command.Split('+', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : [command];

        ReadOnlyMemory<byte> body = Trim(reply);
        if (body.IsEmpty)
        {
            return FailAll(commands, new MinerApiError(
                MinerApiErrorKind.MalformedReply,
                $"The miner sent an empty reply to '{command}' (no bytes, or only NULs/whitespace). Check that the port is the miner's API (4028) and that the command exists on this firmware.")
            { Position = 0 });
        }

        if (!System.Text.Unicode.Utf8.IsValid(body.Span))
        {
            // A flipped bit in a user name must not break every later read of that string: replace invalid sequences with U+FFFD.
            body = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(body.Span));
        }

        if (PlainTextReply.Looks(body.Span))
        {
            body = PlainTextReply.ToJson(body.Span, commands[0]);
        }

        JsonDocument? document = TryParseStrict(body);
        if (document is null)
        {
            if (!JsonRepair.TryRepair(body.Span, out byte[] repaired, out long position, out string reason))
            {
                return FailAll(commands, Malformed(command, body.Span, position, reason));
            }

            try
            {
                document = JsonDocument.Parse(repaired, StrictOptions);
            }
            catch (JsonException ex)
            {
                long at = ex.BytePositionInLine ?? 0;
                return FailAll(commands, Malformed(command, body.Span, Math.Min(at, body.Length), "the reply is not valid UTF-8 JSON even after repair"));
            }
        }

        JsonElement root = document.RootElement;
        if (root.ValueKind == JsonValueKind.Array && root.GetArrayLength() > 0 && root[0].ValueKind == JsonValueKind.Object)
        {
            root = root[0];
        }

        if (root.ValueKind != JsonValueKind.Object)
        {
            JsonValueKind kind = root.ValueKind;
            document.Dispose();
            return FailAll(commands, Malformed(command, body.Span, 0, $"the reply is a JSON {kind}, not an object with STATUS and data sections"));
        }

        var results = new ApiReplyResult[commands.Length];
        if (commands.Length == 1)
        {
            results[0] = Classify(commands[0], root);
        }
        else
        {
            for (int i = 0; i < commands.Length; i++)
            {
                results[i] = SplitPart(commands[i], root, command);
            }
        }

        return new ApiReplySet(document, results);
    }

    /// <summary>Reads the STATUS block: the first element of a STATUS array, or the reply itself where STATUS is a letter (btminer).</summary>
    public static ApiStatus? ReadStatus(JsonElement root)
    {
        if (!JsonLookup.TryGetProperty(root, "STATUS", out JsonElement status))
        {
            return null;
        }

        JsonElement block;
        if (status.ValueKind == JsonValueKind.Array)
        {
            if (status.GetArrayLength() == 0 || status[0].ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            block = status[0];
        }
        else if (status.ValueKind == JsonValueKind.String)
        {
            block = root;
        }
        else if (status.ValueKind == JsonValueKind.Object)
        {
            block = status;
        }
        else
        {
            return null;
        }

        string? letter = JsonLookup.TryGetProperty(block, "STATUS", out JsonElement s) ? JsonLookup.GetText(s) : null;
        int? code = JsonLookup.TryGetProperty(block, "Code", out JsonElement c) && JsonLookup.TryGetDouble(c, out double cd) ? (int)cd : null;
        string? msg = JsonLookup.TryGetProperty(block, "Msg", out JsonElement m) ? (JsonLookup.GetText(m) ?? m.GetRawText()) : null;
        string? description = JsonLookup.TryGetProperty(block, "Description", out JsonElement d) ? JsonLookup.GetText(d) : null;
        long? when = JsonLookup.TryGetProperty(block, "When", out JsonElement w) && JsonLookup.TryGetDouble(w, out double wd) ? (long)wd : null;
        return new ApiStatus(ApiStatus.ParseSeverity(letter), code, msg, description, when);
    }

    /// <summary>True for cgminer's "Access denied to 'x' command" (code 45) and the privilege messages other firmwares use.</summary>
    public static bool IsAccessDenied(ApiStatus status)
    {
        if (status.Code == 45)
        {
            return true;
        }

        string msg = status.Msg ?? string.Empty;
        return msg.Contains("access denied", StringComparison.OrdinalIgnoreCase)
            || msg.Contains("privilege", StringComparison.OrdinalIgnoreCase)
            || msg.Contains("permission denied", StringComparison.OrdinalIgnoreCase)
            || msg.Contains("not allowed", StringComparison.OrdinalIgnoreCase);
    }

    private static ApiReplyResult SplitPart(string command, JsonElement root, string request)
    {
        if (JsonLookup.TryGetProperty(root, command, out JsonElement part))
        {
            if (part.ValueKind == JsonValueKind.Array && part.GetArrayLength() > 0 && part[0].ValueKind == JsonValueKind.Object)
            {
                return Classify(command, part[0]);
            }

            if (part.ValueKind == JsonValueKind.Object)
            {
                return Classify(command, part);
            }
        }

        // A firmware without multi-command support answers the whole request with one STATUS E ("Invalid command").
        ApiStatus? status = ReadStatus(root);
        if (status is { IsError: true })
        {
            return Classify(command, root);
        }

        return ApiReplyResult.Failure(command, new MinerApiError(
            MinerApiErrorKind.MalformedReply,
            $"The multi-command reply to '{request}' has no '{command}' part. Read '{command}' on its own, or mark the firmware profile as not supporting multi-command requests."));
    }

    private static ApiReplyResult Classify(string command, JsonElement root)
    {
        ApiStatus? status = ReadStatus(root);
        if (status is { IsError: true })
        {
            if (IsAccessDenied(status))
            {
                return ApiReplyResult.Failure(command, new MinerApiError(
                    MinerApiErrorKind.AccessDenied,
                    $"The miner refused '{command}': {status.Msg}. Allow this host write access in the miner's API settings (cgminer --api-allow W:<agent address>).")
                { StatusCode = status.Code, StatusMessage = status.Msg });
            }

            return ApiReplyResult.Failure(command, new MinerApiError(
                MinerApiErrorKind.CommandError,
                $"The miner answered '{command}' with STATUS {(status.Severity == ApiStatusSeverity.Fatal ? "F" : "E")} code {status.Code?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"}: {status.Msg}. The firmware may not support this command; check the firmware profile's command list.")
            { StatusCode = status.Code, StatusMessage = status.Msg });
        }

        return ApiReplyResult.Success(new ApiReply(command, status, root));
    }

    private static JsonDocument? TryParseStrict(ReadOnlyMemory<byte> body)
    {
        // Exceptions only cost on the rare invalid reply; valid replies are tokenized once.
        try
        {
            return JsonDocument.Parse(body, StrictOptions);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static ReadOnlyMemory<byte> Trim(ReadOnlyMemory<byte> reply)
    {
        ReadOnlySpan<byte> span = reply.Span;
        int start = 0;
        int end = span.Length;
        if (span.StartsWith("\xEF\xBB\xBF"u8))
        {
            start = 3;
        }

        while (start < end && IsPad(span[start]))
        {
            start++;
        }

        while (end > start && IsPad(span[end - 1]))
        {
            end--;
        }

        return reply[start..end];
    }

    private static bool IsPad(byte b) => b is 0 or (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n';

    private static ApiReplySet FailAll(string[] commands, MinerApiError error)
    {
        var results = new ApiReplyResult[commands.Length];
        for (int i = 0; i < commands.Length; i++)
        {
            results[i] = ApiReplyResult.Failure(commands[i], error);
        }

        return new ApiReplySet(null, results);
    }

    private static MinerApiError Malformed(string command, ReadOnlySpan<byte> body, long position, string reason) =>
        new(MinerApiErrorKind.MalformedReply,
            $"The reply to '{command}' is not JSON the decoder can read, even after repairing known firmware quirks: {reason}. Save the raw reply and check it with 'farm-agent decode'; if the firmware is new, add a profile or report the capture.")
        {
            Command = command,
            Position = position,
            Excerpt = Excerpt(body, position),
        };

    /// <summary>A short printable excerpt around a byte position: control and non-ASCII bytes shown as \xNN.</summary>
    public static string Excerpt(ReadOnlySpan<byte> body, long position)
    {
        int at = (int)Math.Clamp(position, 0, body.Length);
        int from = Math.Max(0, at - ExcerptRadius);
        int to = Math.Min(body.Length, at + ExcerptRadius);
        var sb = new StringBuilder((to - from) + 8);
        for (int i = from; i < to; i++)
        {
            byte b = body[i];
            if (b is >= 0x20 and < 0x7F)
            {
                sb.Append((char)b);
            }
            else
            {
                sb.Append("\\x").Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return sb.ToString();
    }
}
