using System.Text;
using System.Text.Json;

namespace CloudMining.Farm.Shared.Wire;

/// <summary>
/// Reads a <c>farm.v1.telemetry</c> payload straight off a <see cref="Utf8JsonReader"/>: the message every miner sends
/// every cycle, on the controller's ingest path (floor 50,000 messages/s, docs/benchmarks.md "Controller ingest"), where
/// System.Text.Json's generated metadata path cost about 4× tokenizing the same bytes. It gives what
/// <c>JsonSerializer.Deserialize(json, FarmJsonContext.Default.MinerTelemetryPayload)</c> gives and refuses what that
/// refuses: property names as written (camelCase, escapes allowed), unknown members and <c>"schema"</c> skipped, a
/// duplicate member's last value kept, a missing required member (publisher, seq, ts, site, rack, minerId, profile,
/// boards[].index, pools[].index, pools[].url) refused, a null list read as empty, null list items kept (for
/// <see cref="MinerTelemetryPayload.Malformation"/> to name), every number finite (<see cref="FiniteNumberConverter"/>),
/// nothing after the object. A refusal is a <see cref="JsonException"/> naming the field (e.g. <c>$.pools[1].accepted</c>);
/// a string that is not valid UTF-8 throws <see cref="InvalidOperationException"/> as the serializer does.
/// Writing stays with <see cref="FarmJsonContext"/>; MinerTelemetryReaderTests hold the two to the same answers, and
/// fail when the payload gains a member this reader does not know.
/// </summary>
public static class MinerTelemetryReader
{
    /// <summary>Reads the payload, or null for the JSON literal <c>null</c>.</summary>
    public static MinerTelemetryPayload? Read(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        if (!reader.Read())
        {
            throw new JsonException("the payload is empty");
        }

        MinerTelemetryPayload? payload = reader.TokenType switch
        {
            JsonTokenType.Null => null,
            JsonTokenType.StartObject => ReadPayload(ref reader),
            _ => throw new JsonException($"$: expected a {MinerTelemetryPayload.SchemaId} object, found {reader.TokenType}"),
        };

        // Throws for anything but white space after the value (the reader sees the whole payload).
        if (reader.Read())
        {
            throw new JsonException("$: the payload holds more than one JSON value");
        }

        return payload;
    }

    private static MinerTelemetryPayload ReadPayload(ref Utf8JsonReader reader)
    {
        string? publisher = null, site = null, rack = null, minerId = null, profile = null, model = null, firmware = null;
        long seq = 0;
        DateTimeOffset timestamp = default;
        DateTimeOffset? readAt = null;
        double? hashrate5s = null, hashrateAverage = null, hashrateNominal = null, power = null, maxChipTemp = null, uptime = null;
        long? hardwareErrors = null;
        List<TelemetryBoard>? boards = null;
        List<TelemetryFan>? fans = null;
        List<TelemetryPool>? pools = null;
        List<string>? warnings = null;
        Required seen = Required.None;

        while (NextMember(ref reader, out ReadOnlySpan<byte> name))
        {
            switch (Member(name))
            {
                case M.Publisher: publisher = Repeated(ref reader, "publisher"); seen |= Required.Publisher; break;
                case M.Seq: seq = Int64(ref reader, "seq"); seen |= Required.Seq; break;
                case M.Ts: timestamp = Time(ref reader, "ts"); seen |= Required.Ts; break;
                case M.Site: site = Repeated(ref reader, "site"); seen |= Required.Site; break;
                case M.Rack: rack = Repeated(ref reader, "rack"); seen |= Required.Rack; break;
                case M.MinerId: minerId = String(ref reader, "minerId"); seen |= Required.MinerId; break;
                case M.Profile: profile = Repeated(ref reader, "profile"); seen |= Required.Profile; break;
                case M.Model: model = Repeated(ref reader, "model"); break;
                case M.Firmware: firmware = Repeated(ref reader, "firmware"); break;
                case M.ReadAt: readAt = reader.TokenType == JsonTokenType.Null ? null : Time(ref reader, "readAt"); break;
                case M.Hashrate5sHs: hashrate5s = Double(ref reader, "hashrate5sHs"); break;
                case M.HashrateAverageHs: hashrateAverage = Double(ref reader, "hashrateAverageHs"); break;
                case M.HashrateNominalHs: hashrateNominal = Double(ref reader, "hashrateNominalHs"); break;
                case M.PowerW: power = Double(ref reader, "powerW"); break;
                case M.MaxChipTempC: maxChipTemp = Double(ref reader, "maxChipTempC"); break;
                case M.UptimeS: uptime = Double(ref reader, "uptimeS"); break;
                case M.HardwareErrors: hardwareErrors = NullableInt64(ref reader, "hardwareErrors"); break;
                case M.Boards: boards = Boards(ref reader); break;
                case M.Fans: fans = Fans(ref reader); break;
                case M.Pools: pools = Pools(ref reader); break;
                case M.Warnings: warnings = Warnings(ref reader); break;
                default: reader.Skip(); break;
            }
        }

        if (seen != Required.All)
        {
            throw Missing("$", MissingName(seen));
        }

        return new MinerTelemetryPayload
        {
            Publisher = publisher!,
            Seq = seq,
            Timestamp = timestamp,
            Site = site!,
            Rack = rack!,
            MinerId = minerId!,
            Profile = profile!,
            Model = model,
            Firmware = firmware,
            ReadAt = readAt,
            Hashrate5sHs = hashrate5s,
            HashrateAverageHs = hashrateAverage,
            HashrateNominalHs = hashrateNominal,
            PowerW = power,
            MaxChipTempC = maxChipTemp,
            UptimeS = uptime,
            HardwareErrors = hardwareErrors,
            Boards = boards!,
            Fans = fans!,
            Pools = pools!,
            Warnings = warnings!,
        };
    }

    private static List<TelemetryBoard>? Boards(ref Utf8JsonReader reader)
    {
        if (!StartList(ref reader, "boards"))
        {
            return null;
        }

        var list = new List<TelemetryBoard>(4);
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            list.Add(Item(ref reader, "boards", list.Count) ? Board(ref reader, list.Count) : null!);
        }

        return list;
    }

    private static TelemetryBoard Board(ref Utf8JsonReader reader, int index)
    {
        int number = 0;
        bool hasIndex = false;
        double? hashrate = null, chipTemp = null, boardTemp = null;
        int? chips = null;
        long? hardwareErrors = null;
        string? status = null;
        while (NextMember(ref reader, out ReadOnlySpan<byte> name))
        {
            switch (Member(name))
            {
                case M.Index: number = Int32(ref reader, Path("boards", index, "index")); hasIndex = true; break;
                case M.HashrateHs: hashrate = Double(ref reader, Path("boards", index, "hashrateHs")); break;
                case M.ChipTempC: chipTemp = Double(ref reader, Path("boards", index, "chipTempC")); break;
                case M.BoardTempC: boardTemp = Double(ref reader, Path("boards", index, "boardTempC")); break;
                case M.Chips: chips = NullableInt32(ref reader, Path("boards", index, "chips")); break;
                case M.HardwareErrors: hardwareErrors = NullableInt64(ref reader, Path("boards", index, "hardwareErrors")); break;
                case M.Status: status = Repeated(ref reader, Path("boards", index, "status")); break;
                default: reader.Skip(); break;
            }
        }

        return hasIndex
            ? new TelemetryBoard { Index = number, HashrateHs = hashrate, ChipTempC = chipTemp, BoardTempC = boardTemp, Chips = chips, HardwareErrors = hardwareErrors, Status = status }
            : throw Missing($"$.boards[{index}]", "index");
    }

    private static List<TelemetryFan>? Fans(ref Utf8JsonReader reader)
    {
        if (!StartList(ref reader, "fans"))
        {
            return null;
        }

        var list = new List<TelemetryFan>(4);
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            list.Add(Item(ref reader, "fans", list.Count) ? Fan(ref reader, list.Count) : null!);
        }

        return list;
    }

    // A positional record: members the JSON leaves out take their defaults, as the serializer's constructor binding does.
    private static TelemetryFan Fan(ref Utf8JsonReader reader, int index)
    {
        int number = 0, rpm = 0;
        double? duty = null;
        while (NextMember(ref reader, out ReadOnlySpan<byte> name))
        {
            switch (Member(name))
            {
                case M.Index: number = Int32(ref reader, Path("fans", index, "index")); break;
                case M.Rpm: rpm = Int32(ref reader, Path("fans", index, "rpm")); break;
                case M.DutyPercent: duty = Double(ref reader, Path("fans", index, "dutyPercent")); break;
                default: reader.Skip(); break;
            }
        }

        return new TelemetryFan(number, rpm, duty);
    }

    private static List<TelemetryPool>? Pools(ref Utf8JsonReader reader)
    {
        if (!StartList(ref reader, "pools"))
        {
            return null;
        }

        var list = new List<TelemetryPool>(4);
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            list.Add(Item(ref reader, "pools", list.Count) ? Pool(ref reader, list.Count) : null!);
        }

        return list;
    }

    private static TelemetryPool Pool(ref Utf8JsonReader reader, int index)
    {
        int number = 0;
        bool hasIndex = false, hasUrl = false;
        string? url = null, user = null, status = null;
        int? priority = null, quota = null;
        bool? active = null;
        long accepted = 0, rejected = 0, stale = 0;
        double? difficultyAccepted = null, difficultyRejected = null, difficultyStale = null;
        while (NextMember(ref reader, out ReadOnlySpan<byte> name))
        {
            switch (Member(name))
            {
                case M.Index: number = Int32(ref reader, Path("pools", index, "index")); hasIndex = true; break;
                case M.Url: url = Repeated(ref reader, Path("pools", index, "url")); hasUrl = true; break;
                case M.User: user = Repeated(ref reader, Path("pools", index, "user")); break;
                case M.Status: status = Repeated(ref reader, Path("pools", index, "status")); break;
                case M.Priority: priority = NullableInt32(ref reader, Path("pools", index, "priority")); break;
                case M.Active: active = Boolean(ref reader, Path("pools", index, "active")); break;
                case M.Accepted: accepted = Int64(ref reader, Path("pools", index, "accepted")); break;
                case M.Rejected: rejected = Int64(ref reader, Path("pools", index, "rejected")); break;
                case M.Stale: stale = Int64(ref reader, Path("pools", index, "stale")); break;
                case M.DifficultyAccepted: difficultyAccepted = Double(ref reader, Path("pools", index, "difficultyAccepted")); break;
                case M.DifficultyRejected: difficultyRejected = Double(ref reader, Path("pools", index, "difficultyRejected")); break;
                case M.DifficultyStale: difficultyStale = Double(ref reader, Path("pools", index, "difficultyStale")); break;
                case M.Quota: quota = NullableInt32(ref reader, Path("pools", index, "quota")); break;
                default: reader.Skip(); break;
            }
        }

        if (!hasIndex || !hasUrl)
        {
            throw Missing($"$.pools[{index}]", hasIndex ? "url" : "index");
        }

        return new TelemetryPool
        {
            Index = number,
            Url = url!,
            User = user,
            Status = status,
            Priority = priority,
            Active = active,
            Accepted = accepted,
            Rejected = rejected,
            Stale = stale,
            DifficultyAccepted = difficultyAccepted,
            DifficultyRejected = difficultyRejected,
            DifficultyStale = difficultyStale,
            Quota = quota,
        };
    }

    private static List<string>? Warnings(ref Utf8JsonReader reader)
    {
        if (!StartList(ref reader, "warnings"))
        {
            return null;
        }

        var list = new List<string>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            list.Add(String(ref reader, new FieldPath("warnings", list.Count, null))!);
        }

        return list;
    }

    /// <summary>Moves to the next member's value and gives its (unescaped) name; false at the end of the object.</summary>
    private static bool NextMember(ref Utf8JsonReader reader, out ReadOnlySpan<byte> name)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.EndObject)
        {
            name = default;
            return false;
        }

        // Only a property name can follow inside an object (the reader refuses anything else). An escaped name (rare:
        // no publisher of ours writes one) is unescaped into a new array.
        name = reader.ValueIsEscaped ? Encoding.UTF8.GetBytes(reader.GetString()!) : reader.ValueSpan;
        reader.Read();
        return true;
    }

    /// <summary>True when the value is an array (the reader on its start); false (a null list, read as empty) for null.</summary>
    private static bool StartList(ref Utf8JsonReader reader, string field) => reader.TokenType switch
    {
        JsonTokenType.StartArray => true,
        JsonTokenType.Null => false,
        _ => throw Wrong(new FieldPath(field, -1, null), "an array or null", ref reader),
    };

    /// <summary>True for an object item (the reader on its start), false for a null item (kept, for Malformation to name).</summary>
    private static bool Item(ref Utf8JsonReader reader, string list, int index) => reader.TokenType switch
    {
        JsonTokenType.StartObject => true,
        JsonTokenType.Null => false,
        _ => throw Wrong(new FieldPath(list, index, null), "an object or null", ref reader),
    };

    private static string? String(ref Utf8JsonReader reader, FieldPath field) => reader.TokenType switch
    {
        JsonTokenType.String => reader.GetString(),
        JsonTokenType.Null => null,
        _ => throw Wrong(field, "a string or null", ref reader),
    };

    /// <summary>
    /// Reads a string as the String method does, for the values that repeat from message to message (site, rack, publisher, model, firmware,
    /// statuses, pool URLs and workers): the same string instance as the last time these bytes were read on this thread,
    /// so a message allocates fewer strings and the fleet state, which keeps them, holds no young copies the garbage
    /// collector would have to promote. Minor cache: a slot keeps the last value that hashed to it.
    /// </summary>
    private static string? Repeated(ref Utf8JsonReader reader, FieldPath field)
    {
        if (reader.TokenType != JsonTokenType.String || reader.ValueIsEscaped || reader.ValueSpan.Length > MaxRepeatedBytes)
        {
            return String(ref reader, field);
        }

        ReadOnlySpan<byte> utf8 = reader.ValueSpan;
        var hash = default(HashCode);
        hash.AddBytes(utf8);
        int slot = hash.ToHashCode() & (RepeatedSlots - 1);
        (byte[] Utf8, string Text)[] cache = _repeated ??= new (byte[], string)[RepeatedSlots];
        if (cache[slot].Utf8 is { } known && utf8.SequenceEqual(known))
        {
            return cache[slot].Text;
        }

        // GetString refuses bytes that are not UTF-8 before anything is kept.
        string text = reader.GetString()!;
        cache[slot] = (utf8.ToArray(), text);
        return text;
    }

    private const int RepeatedSlots = 1024;
    private const int MaxRepeatedBytes = 256;

    [ThreadStatic]
    private static (byte[] Utf8, string Text)[]? _repeated;

    private static double? Double(ref Utf8JsonReader reader, FieldPath field)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.Number || !reader.TryGetDouble(out double value))
        {
            throw Wrong(field, "a number or null", ref reader);
        }

        // System.Text.Json reads 1e999 as infinity; no meter measured that (FiniteNumberConverter says the same elsewhere).
        return double.IsFinite(value)
            ? value
            : throw new JsonException($"{field}: a number is out of the range of a double (it would read as infinity); send a finite value");
    }

    private static long Int64(ref Utf8JsonReader reader, FieldPath field) =>
        reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out long value) ? value : throw Wrong(field, "a whole number within 64 bits", ref reader);

    private static long? NullableInt64(ref Utf8JsonReader reader, FieldPath field) =>
        reader.TokenType == JsonTokenType.Null ? null : Int64(ref reader, field);

    private static int Int32(ref Utf8JsonReader reader, FieldPath field) =>
        reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out int value) ? value : throw Wrong(field, "a whole number within 32 bits", ref reader);

    private static int? NullableInt32(ref Utf8JsonReader reader, FieldPath field) =>
        reader.TokenType == JsonTokenType.Null ? null : Int32(ref reader, field);

    private static bool? Boolean(ref Utf8JsonReader reader, FieldPath field) => reader.TokenType switch
    {
        JsonTokenType.True => true,
        JsonTokenType.False => false,
        JsonTokenType.Null => null,
        _ => throw Wrong(field, "true, false or null", ref reader),
    };

    private static DateTimeOffset Time(ref Utf8JsonReader reader, FieldPath field) =>
        reader.TokenType == JsonTokenType.String && reader.TryGetDateTimeOffset(out DateTimeOffset value) ? value : throw Wrong(field, "an ISO 8601 date and time string", ref reader);

    private static JsonException Wrong(FieldPath field, string expected, ref Utf8JsonReader reader)
    {
        string found = reader.TokenType switch
        {
            JsonTokenType.Number => "a number out of that range or not whole",
            JsonTokenType.String => "a string",
            JsonTokenType.StartObject => "an object",
            JsonTokenType.StartArray => "an array",
            JsonTokenType.True or JsonTokenType.False => "a boolean",
            JsonTokenType.Null => "null",
            _ => reader.TokenType.ToString(),
        };
        return new JsonException($"{field}: expected {expected}, found {found} (byte {reader.TokenStartIndex})");
    }

    private static JsonException Missing(string where, string member) =>
        new($"{where}: the required member \"{member}\" is missing");

    private static string MissingName(Required seen) =>
        (seen & Required.Publisher) == 0 ? "publisher"
        : (seen & Required.Seq) == 0 ? "seq"
        : (seen & Required.Ts) == 0 ? "ts"
        : (seen & Required.Site) == 0 ? "site"
        : (seen & Required.Rack) == 0 ? "rack"
        : (seen & Required.MinerId) == 0 ? "minerId"
        : "profile";

    private static FieldPath Path(string list, int index, string member) => new(list, index, member);

    /// <summary>Where a value sits, formatted only when something is refused: <c>$.seq</c>, <c>$.pools[1].accepted</c>.</summary>
    private readonly record struct FieldPath(string First, int Index, string? Member)
    {
        public static implicit operator FieldPath(string member) => new(member, -1, null);

        public override string ToString() => (Index, Member) switch
        {
            ( < 0, _) => "$." + First,
            (_, null) => $"$.{First}[{Index}]",
            _ => $"$.{First}[{Index}].{Member}",
        };
    }

    [Flags]
    private enum Required
    {
        None = 0,
        Publisher = 1,
        Seq = 2,
        Ts = 4,
        Site = 8,
        Rack = 16,
        MinerId = 32,
        Profile = 64,
        All = 127,
    }

    /// <summary>Every member name this reader knows, at any level (the switch at each level takes its own).</summary>
    private enum M
    {
        Unknown,
        Publisher,
        Seq,
        Ts,
        Site,
        Rack,
        MinerId,
        Profile,
        Model,
        Firmware,
        ReadAt,
        Hashrate5sHs,
        HashrateAverageHs,
        HashrateNominalHs,
        PowerW,
        MaxChipTempC,
        UptimeS,
        HardwareErrors,
        Boards,
        Fans,
        Pools,
        Warnings,
        Index,
        HashrateHs,
        ChipTempC,
        BoardTempC,
        Chips,
        Status,
        Rpm,
        DutyPercent,
        Url,
        User,
        Priority,
        Active,
        Accepted,
        Rejected,
        Stale,
        DifficultyAccepted,
        DifficultyRejected,
        DifficultyStale,
        Quota,
    }

    private static M Member(ReadOnlySpan<byte> name) => name.Length switch
    {
        2 => name.SequenceEqual("ts"u8) ? M.Ts : M.Unknown,
        3 => name.SequenceEqual("seq"u8) ? M.Seq : name.SequenceEqual("rpm"u8) ? M.Rpm : name.SequenceEqual("url"u8) ? M.Url : M.Unknown,
        4 => name.SequenceEqual("site"u8) ? M.Site : name.SequenceEqual("rack"u8) ? M.Rack : name.SequenceEqual("fans"u8) ? M.Fans : name.SequenceEqual("user"u8) ? M.User : M.Unknown,
        5 => name.SequenceEqual("model"u8) ? M.Model : name.SequenceEqual("pools"u8) ? M.Pools : name.SequenceEqual("index"u8) ? M.Index : name.SequenceEqual("chips"u8) ? M.Chips : name.SequenceEqual("stale"u8) ? M.Stale : name.SequenceEqual("quota"u8) ? M.Quota : M.Unknown,
        6 => name.SequenceEqual("readAt"u8) ? M.ReadAt : name.SequenceEqual("powerW"u8) ? M.PowerW : name.SequenceEqual("boards"u8) ? M.Boards : name.SequenceEqual("status"u8) ? M.Status : name.SequenceEqual("active"u8) ? M.Active : M.Unknown,
        7 => name.SequenceEqual("minerId"u8) ? M.MinerId : name.SequenceEqual("profile"u8) ? M.Profile : name.SequenceEqual("uptimeS"u8) ? M.UptimeS : M.Unknown,
        8 => name.SequenceEqual("firmware"u8) ? M.Firmware : name.SequenceEqual("warnings"u8) ? M.Warnings : name.SequenceEqual("priority"u8) ? M.Priority : name.SequenceEqual("accepted"u8) ? M.Accepted : name.SequenceEqual("rejected"u8) ? M.Rejected : M.Unknown,
        9 => name.SequenceEqual("publisher"u8) ? M.Publisher : name.SequenceEqual("chipTempC"u8) ? M.ChipTempC : M.Unknown,
        10 => name.SequenceEqual("hashrateHs"u8) ? M.HashrateHs : name.SequenceEqual("boardTempC"u8) ? M.BoardTempC : M.Unknown,
        11 => name.SequenceEqual("dutyPercent"u8) ? M.DutyPercent : M.Unknown,
        12 => name.SequenceEqual("hashrate5sHs"u8) ? M.Hashrate5sHs : name.SequenceEqual("maxChipTempC"u8) ? M.MaxChipTempC : M.Unknown,
        14 => name.SequenceEqual("hardwareErrors"u8) ? M.HardwareErrors : M.Unknown,
        15 => name.SequenceEqual("difficultyStale"u8) ? M.DifficultyStale : M.Unknown,
        17 => name.SequenceEqual("hashrateAverageHs"u8) ? M.HashrateAverageHs : name.SequenceEqual("hashrateNominalHs"u8) ? M.HashrateNominalHs : M.Unknown,
        18 => name.SequenceEqual("difficultyAccepted"u8) ? M.DifficultyAccepted : name.SequenceEqual("difficultyRejected"u8) ? M.DifficultyRejected : M.Unknown,
        _ => M.Unknown,
    };
}
