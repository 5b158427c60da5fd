using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace CloudMining.Farm.Shared.Firmware.Channels;

/// <summary>
/// A Whatsminer API answer reduced to what the channels decide on: success, the numeric code and the message.
/// v2 answers {"STATUS":"S"|"E","Code":131,"Msg":…} (STATUS sometimes as cgminer's array); v3 answers
/// {"code":0,"msg":…,"desc":…}. <see cref="Message"/> is bounded and never holds more than the miner wrote.
/// </summary>
internal sealed record WhatsminerReply(bool Success, int? Code, string Message, JsonNode? Msg)
{
    public static WhatsminerReply? ParseV2(JsonObject o)
    {
        string? status = o["STATUS"] switch
        {
            JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
            JsonArray { Count: > 0 } a when a[0] is JsonObject s => s["STATUS"]?.ToString(),
            _ => null,
        };
        JsonObject? head = o["STATUS"] is JsonArray { Count: > 0 } arr && arr[0] is JsonObject h ? h : o;
        int? code = Number(head[nameof(Code)]);
        JsonNode? msg = head[nameof(Msg)];
        if (status is null && code is null)
        {
            return null;
        }

        bool ok = status is "S" or "I" || (status is null && code is 131 or 134);
        return new WhatsminerReply(ok, code, Text(msg), msg);
    }

    public static WhatsminerReply? ParseV3(JsonObject o)
    {
        int? code = Number(o["code"]);
        if (code is null)
        {
            return null;
        }

        return new WhatsminerReply(code == 0, code, Text(o["msg"]), o["msg"]);
    }

    private static int? Number(JsonNode? node)
    {
        if (node is not JsonValue v)
        {
            return null;
        }

        return v.GetValueKind() switch
        {
            JsonValueKind.Number when v.TryGetValue(out int n) => n,
            JsonValueKind.String when int.TryParse(v.GetValue<string>(), NumberStyles.Integer, CultureInfo.InvariantCulture, out int s) => s,
            _ => null,
        };
    }

    private static string Text(JsonNode? msg)
    {
        string t = msg switch
        {
            null => string.Empty,
            JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
            _ => msg.ToJsonString(),
        };
        t = t.ReplaceLineEndings(" ").Trim();
        return t.Length <= 120 ? t : t[..120] + "…";
    }
}
