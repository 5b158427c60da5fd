using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace CloudMining.Farm.Shared.Wire;

/// <summary>
/// The compact wire form of <see cref="TelemetryBatchPayload"/> (docs/mqtt-contract.md, "Telemetry batch"), read and
/// written by hand with <see cref="Utf8JsonReader"/> / <see cref="Utf8JsonWriter"/>: the envelope, then "kinds" and
/// "pools" (each distinct value once), "cols" and "pcols" (the names of a row's values, once), and "miners", one array
/// of values per miner. Reading a row allocates only what the reading keeps (its id, its pools, its fan list): kind
/// and pool strings come from the tables, pool status strings are shared within the batch. A column this version does
/// not know is skipped (a newer publisher's additive value); a missing column reads as absent.
/// One unreadable row (a number that is not finite, a string where a number belongs, a reference outside its table)
/// becomes that entry's <see cref="TelemetryBatchEntry.Problem"/>; JSON that is not well formed, a broken table or a
/// missing "cols" fail the batch.
/// </summary>
public sealed class TelemetryBatchConverter : JsonConverter<TelemetryBatchPayload>
{
    /// <summary>The row columns this version writes, in order.</summary>
    private static readonly string[] Cols = ["id", "k", "at", "h5", "ha", "hn", "w", "t", "up", "hw", "fan", "pl"];

    /// <summary>The pool-row columns this version writes, in order.</summary>
    private static readonly string[] PoolCols = ["p", "i", "a", "r", "s", "da", "dr", "ds", "on", "st", "pr", "q"];

    private enum Col : byte
    {
        Unknown,
        Id,
        Kind,
        At,
        H5,
        Ha,
        Hn,
        W,
        T,
        Up,
        Hw,
        Fan,
        Pl,
    }

    private enum PoolCol : byte
    {
        Unknown,
        P,
        I,
        A,
        R,
        S,
        Da,
        Dr,
        Ds,
        On,
        St,
        Pr,
        Q,
    }

    public override TelemetryBatchPayload? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException($"a telemetry batch is a JSON object, found {reader.TokenType}");
        }

        string? publisher = null;
        string? site = null;
        string? rack = null;
        long? seq = null;
        DateTimeOffset? ts = null;
        var tables = new Tables();
        List<TelemetryBatchEntry>? miners = null;
        Utf8JsonReader deferred = default;
        bool defer = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("publisher"u8))
            {
                publisher = ReadString(ref reader, "publisher");
            }
            else if (reader.ValueTextEquals("seq"u8))
            {
                reader.Read();
                seq = reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out long s) ? s : throw new JsonException("\"seq\" must be an integer");
            }
            else if (reader.ValueTextEquals("ts"u8))
            {
                reader.Read();
                ts = reader.TokenType == JsonTokenType.String && reader.TryGetDateTimeOffset(out DateTimeOffset t) ? t : throw new JsonException("\"ts\" must be an RFC 3339 date-time string");
            }
            else if (reader.ValueTextEquals("site"u8))
            {
                site = ReadString(ref reader, "site");
            }
            else if (reader.ValueTextEquals("rack"u8))
            {
                rack = ReadString(ref reader, "rack");
            }
            else if (reader.ValueTextEquals("kinds"u8))
            {
                reader.Read();
                tables.SetKinds(ReadKinds(ref reader));
            }
            else if (reader.ValueTextEquals("pools"u8))
            {
                reader.Read();
                tables.SetPools(ReadPools(ref reader));
            }
            else if (reader.ValueTextEquals("cols"u8))
            {
                reader.Read();
                tables.Cols = ReadNames(ref reader, "cols", ColOf);
            }
            else if (reader.ValueTextEquals("pcols"u8))
            {
                reader.Read();
                tables.PoolCols = ReadNames(ref reader, "pcols", PoolColOf);
            }
            else if (reader.ValueTextEquals("miners"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartArray)
                {
                    throw new JsonException($"\"miners\" must be an array, found {reader.TokenType}");
                }

                if (tables.Complete && ts is not null)
                {
                    miners = ReadRows(ref reader, tables, ts.Value);
                    defer = false;
                }
                else
                {
                    // Tables after the rows (a publisher other than ours may order members so): read the rows at the end.
                    deferred = reader;
                    defer = true;
                    reader.Skip();
                }
            }
            else
            {
                // A member this version does not know: a newer publisher's additive field.
                reader.Read();
                reader.Skip();
            }
        }

        if (seq is null)
        {
            throw new JsonException("the payload has no \"seq\"");
        }

        if (ts is null)
        {
            throw new JsonException("the payload has no \"ts\"");
        }

        if (defer)
        {
            miners = ReadRows(ref deferred, tables, ts.Value);
        }

        if (miners is null)
        {
            throw new JsonException("the payload has no \"miners\"");
        }

        return new TelemetryBatchPayload
        {
            Publisher = publisher!,
            Seq = seq.Value,
            Timestamp = ts.Value,
            Site = site!,
            Rack = rack!,
            Miners = miners,
            PoolsNamed = tables.Pools.Length,
            KindsNamed = tables.Kinds.Length,
        };
    }

    public override void Write(Utf8JsonWriter writer, TelemetryBatchPayload value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);

        // The tables first: each distinct kind and pool once, in the order the readings name them.
        var kindIndex = new Dictionary<(string? Profile, string? Model, string? Firmware), int>();
        var poolIndex = new Dictionary<(string Url, string? User), int>();
        var kindOf = new int[value.Miners.Count];
        for (int m = 0; m < value.Miners.Count; m++)
        {
            TelemetryBatchEntry e = value.Miners[m];
            kindOf[m] = -1;
            if (e.Profile is not null && !kindIndex.TryGetValue((e.Profile, e.Model, e.Firmware), out kindOf[m]))
            {
                kindOf[m] = kindIndex.Count;
                kindIndex.Add((e.Profile, e.Model, e.Firmware), kindOf[m]);
            }

            foreach (TelemetryPool p in e.Pools)
            {
                poolIndex.TryAdd((p.Url, p.User), poolIndex.Count);
            }
        }

        writer.WriteStartObject();
        writer.WriteString("schema"u8, TelemetryBatchPayload.SchemaId);
        if (value.Publisher is not null)
        {
            writer.WriteString("publisher"u8, value.Publisher);
        }

        writer.WriteNumber("seq"u8, value.Seq);
        writer.WriteString("ts"u8, value.Timestamp);
        WriteOptional(writer, "site"u8, value.Site);
        WriteOptional(writer, "rack"u8, value.Rack);
        writer.WriteStartArray("kinds"u8);
        foreach ((string? profile, string? model, string? firmware) in kindIndex.Keys)
        {
            writer.WriteStartObject();
            WriteOptional(writer, "pf"u8, profile);
            WriteOptional(writer, "mo"u8, model);
            WriteOptional(writer, "fw"u8, firmware);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteStartArray("pools"u8);
        foreach ((string url, string? user) in poolIndex.Keys)
        {
            writer.WriteStartObject();
            writer.WriteString("url"u8, url);
            WriteOptional(writer, "user"u8, user);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        WriteNames(writer, "cols"u8, Cols);
        WriteNames(writer, "pcols"u8, PoolCols);
        writer.WriteStartArray("miners"u8);
        for (int m = 0; m < value.Miners.Count; m++)
        {
            TelemetryBatchEntry e = value.Miners[m];
            writer.WriteStartArray();
            WriteValue(writer, e.MinerId);
            if (kindOf[m] < 0)
            {
                writer.WriteNullValue();
            }
            else
            {
                writer.WriteNumberValue(kindOf[m]);
            }

            if (e.ReadAt is { } at)
            {
                writer.WriteNumberValue((long)Math.Round((at - value.Timestamp).TotalMilliseconds));
            }
            else
            {
                writer.WriteNullValue();
            }

            WriteValue(writer, e.Hashrate5sHs);
            WriteValue(writer, e.HashrateAverageHs);
            WriteValue(writer, e.HashrateNominalHs);
            WriteValue(writer, e.PowerW);
            WriteValue(writer, e.MaxChipTempC);
            WriteValue(writer, e.UptimeS);
            WriteValue(writer, e.HardwareErrors);
            if (e.FanRpm is null)
            {
                writer.WriteNullValue();
            }
            else
            {
                writer.WriteStartArray();
                foreach (int rpm in e.FanRpm)
                {
                    writer.WriteNumberValue(rpm);
                }

                writer.WriteEndArray();
            }

            writer.WriteStartArray();
            foreach (TelemetryPool p in e.Pools)
            {
                writer.WriteStartArray();
                writer.WriteNumberValue(poolIndex[(p.Url, p.User)]);
                writer.WriteNumberValue(p.Index);
                writer.WriteNumberValue(p.Accepted);
                writer.WriteNumberValue(p.Rejected);
                writer.WriteNumberValue(p.Stale);
                WriteValue(writer, p.DifficultyAccepted);
                WriteValue(writer, p.DifficultyRejected);
                WriteValue(writer, p.DifficultyStale);
                if (p.Active is { } active)
                {
                    writer.WriteBooleanValue(active);
                }
                else
                {
                    writer.WriteNullValue();
                }

                WriteValue(writer, p.Status);
                WriteValue(writer, p.Priority);
                WriteValue(writer, p.Quota);
                writer.WriteEndArray();
            }

            writer.WriteEndArray();
            writer.WriteEndArray();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static void WriteOptional(Utf8JsonWriter writer, ReadOnlySpan<byte> name, string? value)
    {
        if (value is not null)
        {
            writer.WriteString(name, value);
        }
    }

    private static void WriteNames(Utf8JsonWriter writer, ReadOnlySpan<byte> name, string[] names)
    {
        writer.WriteStartArray(name);
        foreach (string n in names)
        {
            writer.WriteStringValue(n);
        }

        writer.WriteEndArray();
    }

    private static void WriteValue(Utf8JsonWriter writer, string? value)
    {
        if (value is null)
        {
            writer.WriteNullValue();
        }
        else
        {
            writer.WriteStringValue(value);
        }
    }

    // Utf8JsonWriter refuses NaN and ±Infinity (ArgumentException), as the per-miner serializer does.
    private static void WriteValue(Utf8JsonWriter writer, double? value)
    {
        if (value is { } v)
        {
            writer.WriteNumberValue(v);
        }
        else
        {
            writer.WriteNullValue();
        }
    }

    private static void WriteValue(Utf8JsonWriter writer, long? value)
    {
        if (value is { } v)
        {
            writer.WriteNumberValue(v);
        }
        else
        {
            writer.WriteNullValue();
        }
    }

    private static void WriteValue(Utf8JsonWriter writer, int? value)
    {
        if (value is { } v)
        {
            writer.WriteNumberValue(v);
        }
        else
        {
            writer.WriteNullValue();
        }
    }

    private static string? ReadString(ref Utf8JsonReader reader, string name)
    {
        reader.Read();
        return reader.TokenType switch
        {
            JsonTokenType.Null => null,
            JsonTokenType.String => reader.GetString(),
            _ => throw new JsonException($"\"{name}\" must be a string, found {reader.TokenType}"),
        };
    }

    private static Col ColOf(ref Utf8JsonReader r) =>
        r.ValueTextEquals("id"u8) ? Col.Id
        : r.ValueTextEquals("k"u8) ? Col.Kind
        : r.ValueTextEquals("at"u8) ? Col.At
        : r.ValueTextEquals("h5"u8) ? Col.H5
        : r.ValueTextEquals("ha"u8) ? Col.Ha
        : r.ValueTextEquals("hn"u8) ? Col.Hn
        : r.ValueTextEquals("w"u8) ? Col.W
        : r.ValueTextEquals("t"u8) ? Col.T
        : r.ValueTextEquals("up"u8) ? Col.Up
        : r.ValueTextEquals("hw"u8) ? Col.Hw
        : r.ValueTextEquals("fan"u8) ? Col.Fan
        : r.ValueTextEquals("pl"u8) ? Col.Pl
        : Col.Unknown;

    private static PoolCol PoolColOf(ref Utf8JsonReader r) =>
        r.ValueTextEquals("p"u8) ? PoolCol.P
        : r.ValueTextEquals("i"u8) ? PoolCol.I
        : r.ValueTextEquals("a"u8) ? PoolCol.A
        : r.ValueTextEquals("r"u8) ? PoolCol.R
        : r.ValueTextEquals("s"u8) ? PoolCol.S
        : r.ValueTextEquals("da"u8) ? PoolCol.Da
        : r.ValueTextEquals("dr"u8) ? PoolCol.Dr
        : r.ValueTextEquals("ds"u8) ? PoolCol.Ds
        : r.ValueTextEquals("on"u8) ? PoolCol.On
        : r.ValueTextEquals("st"u8) ? PoolCol.St
        : r.ValueTextEquals("pr"u8) ? PoolCol.Pr
        : r.ValueTextEquals("q"u8) ? PoolCol.Q
        : PoolCol.Unknown;

    private delegate T NameOf<T>(ref Utf8JsonReader reader);

    private static T[] ReadNames<T>(ref Utf8JsonReader reader, string member, NameOf<T> map)
        where T : struct, Enum
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new JsonException($"\"{member}\" must be an array of column names, found {reader.TokenType}");
        }

        var names = new List<T>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.String)
            {
                throw new JsonException($"\"{member}[{names.Count}]\" must be a column name (a string), found {reader.TokenType}");
            }

            T column = map(ref reader);
            if (!EqualityComparer<T>.Default.Equals(column, default) && names.Contains(column))
            {
                throw new JsonException($"\"{member}\" names column '{BoundedText.Echo(reader.GetString(), 40)}' twice");
            }

            names.Add(column);
            if (names.Count > 64)
            {
                throw new JsonException($"\"{member}\" names more than 64 columns");
            }
        }

        return [.. names];
    }

    private static Kind[] ReadKinds(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new JsonException($"\"kinds\" must be an array, found {reader.TokenType}");
        }

        var kinds = new List<Kind>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw new JsonException($"\"kinds[{kinds.Count}]\" must be an object, found {reader.TokenType}");
            }

            string? profile = null, model = null, firmware = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("pf"u8))
                {
                    profile = ReadString(ref reader, $"kinds[{kinds.Count}].pf");
                }
                else if (reader.ValueTextEquals("mo"u8))
                {
                    model = ReadString(ref reader, $"kinds[{kinds.Count}].mo");
                }
                else if (reader.ValueTextEquals("fw"u8))
                {
                    firmware = ReadString(ref reader, $"kinds[{kinds.Count}].fw");
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }

            kinds.Add(new Kind(profile ?? throw new JsonException($"\"kinds[{kinds.Count}].pf\" (profile) is missing"), model, firmware));
        }

        return [.. kinds];
    }

    private static PoolName[] ReadPools(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new JsonException($"\"pools\" must be an array, found {reader.TokenType}");
        }

        var pools = new List<PoolName>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw new JsonException($"\"pools[{pools.Count}]\" must be an object, found {reader.TokenType}");
            }

            string? url = null, user = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("url"u8))
                {
                    url = ReadString(ref reader, $"pools[{pools.Count}].url");
                }
                else if (reader.ValueTextEquals("user"u8))
                {
                    user = ReadString(ref reader, $"pools[{pools.Count}].user");
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }

            pools.Add(new PoolName(url ?? throw new JsonException($"\"pools[{pools.Count}].url\" is null"), user));
        }

        return [.. pools];
    }

    private static List<TelemetryBatchEntry> ReadRows(ref Utf8JsonReader reader, Tables tables, DateTimeOffset ts)
    {
        if (tables.Cols is null)
        {
            // Nothing can be read without the column names; an empty batch needs none.
            reader.Read();
            return reader.TokenType == JsonTokenType.EndArray ? [] : throw new JsonException("the payload has no \"cols\": its rows cannot be read");
        }

        var rows = new List<TelemetryBatchEntry>();
        var scratch = new RowScratch(tables, ts);
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            rows.Add(ReadRow(ref reader, scratch));
        }

        return rows;
    }

    private static TelemetryBatchEntry ReadRow(ref Utf8JsonReader reader, RowScratch x)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            string found = reader.TokenType.ToString();
            reader.Skip();
            return new TelemetryBatchEntry { MinerId = null!, Profile = null!, Problem = $"is a {found}, not a row (an array of the values \"cols\" names)" };
        }

        Col[] cols = x.Tables.Cols!;
        string? problem = null;
        string? id = null;
        Kind? kind = null;
        DateTimeOffset? at = null;
        double? h5 = null, ha = null, hn = null, w = null, t = null, up = null;
        long? hw = null;
        int[]? fans = null;
        TelemetryPool[] pools = [];
        int c = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            Col col = c < cols.Length ? cols[c] : Col.Unknown;
            c++;
            if (problem is not null)
            {
                reader.Skip();
                continue;
            }

            switch (col)
            {
                case Col.Id:
                    if (reader.TokenType == JsonTokenType.String)
                    {
                        try
                        {
                            id = reader.GetString();
                        }
                        catch (InvalidOperationException)
                        {
                            problem = "\"id\" is not valid UTF-8";
                        }
                    }
                    else
                    {
                        problem = reader.TokenType == JsonTokenType.Null ? "has no \"id\"" : $"\"id\" must be a string, found {reader.TokenType}";
                        reader.Skip();
                    }

                    break;
                case Col.Kind:
                    if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out int k) && k >= 0 && k < x.Tables.Kinds.Length)
                    {
                        kind = x.Tables.Kinds[k];
                    }
                    else if (reader.TokenType != JsonTokenType.Null)
                    {
                        problem = $"\"k\" refers to kind {Echo(ref reader)}, but the batch names {x.Tables.Kinds.Length} kinds";
                        reader.Skip();
                    }

                    break;
                case Col.At:
                    at = ReadOffset(ref reader, x.Ts, ref problem);
                    break;
                case Col.H5:
                    h5 = ReadDouble(ref reader, "h5", -1, ref problem);
                    break;
                case Col.Ha:
                    ha = ReadDouble(ref reader, "ha", -1, ref problem);
                    break;
                case Col.Hn:
                    hn = ReadDouble(ref reader, "hn", -1, ref problem);
                    break;
                case Col.W:
                    w = ReadDouble(ref reader, "w", -1, ref problem);
                    break;
                case Col.T:
                    t = ReadDouble(ref reader, "t", -1, ref problem);
                    break;
                case Col.Up:
                    up = ReadDouble(ref reader, "up", -1, ref problem);
                    break;
                case Col.Hw:
                    hw = ReadLong(ref reader, "hw", -1, ref problem);
                    break;
                case Col.Fan:
                    fans = ReadFans(ref reader, x, ref problem);
                    break;
                case Col.Pl:
                    pools = ReadPoolRows(ref reader, x, ref problem);
                    break;
                default:
                    // A column this version does not know.
                    reader.Skip();
                    break;
            }
        }

        if (problem is null && c > cols.Length)
        {
            problem = $"has {c} values, but \"cols\" names {cols.Length}";
        }

        if (problem is null && id is null)
        {
            problem = "has no \"id\"";
        }

        return new TelemetryBatchEntry
        {
            MinerId = id!,
            Profile = kind?.Profile!,
            Model = kind?.Model,
            Firmware = kind?.Firmware,
            ReadAt = at,
            Hashrate5sHs = h5,
            HashrateAverageHs = ha,
            HashrateNominalHs = hn,
            PowerW = w,
            MaxChipTempC = t,
            UptimeS = up,
            HardwareErrors = hw,
            FanRpm = fans,
            Pools = pools,
            Problem = problem,
        };
    }

    private static DateTimeOffset? ReadOffset(ref Utf8JsonReader reader, DateTimeOffset ts, ref string? problem)
    {
        if (ReadDouble(ref reader, "at", -1, ref problem) is not { } ms)
        {
            return null;
        }

        // Milliseconds from the batch's ts; beyond ±100 years is no clock reading (and would overflow a date).
        const double Bound = 100 * 365.25 * 86_400_000;
        long ticks = (long)Math.Round(ms * TimeSpan.TicksPerMillisecond);
        if (Math.Abs(ms) > Bound || ts.UtcTicks + ticks < DateTimeOffset.MinValue.UtcTicks || ts.UtcTicks + ticks > DateTimeOffset.MaxValue.UtcTicks)
        {
            problem = $"\"at\" ({ms} ms from ts) is not a plausible time";
            return null;
        }

        return ts.AddTicks(ticks);
    }

    private static double? ReadDouble(ref Utf8JsonReader reader, string column, int pool, ref string? problem)
    {
        if (reader.TokenType == JsonTokenType.Number)
        {
            if (reader.TryGetDouble(out double d) && double.IsFinite(d))
            {
                return d;
            }

            problem = $"\"{Name(column, pool)}\": a number is out of the range of a double (it would read as infinity); send a finite value";
            return null;
        }

        if (reader.TokenType != JsonTokenType.Null)
        {
            problem = $"\"{Name(column, pool)}\" must be a number, found {reader.TokenType}";
            reader.Skip();
        }

        return null;
    }

    // The column's name in a problem text; built only when there is a problem (a row reads ~40 values).
    private static string Name(string column, int pool) => pool < 0 ? column : $"pl[{pool}].{column}";

    private static long? ReadLong(ref Utf8JsonReader reader, string column, int pool, ref string? problem)
    {
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out long v))
        {
            return v;
        }

        if (reader.TokenType != JsonTokenType.Null)
        {
            problem = $"\"{Name(column, pool)}\" must be an integer, found {Echo(ref reader)}";
            reader.Skip();
        }

        return null;
    }

    private static int? ReadInt(ref Utf8JsonReader reader, string column, int pool, ref string? problem)
    {
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out int v))
        {
            return v;
        }

        if (reader.TokenType != JsonTokenType.Null)
        {
            problem = $"\"{Name(column, pool)}\" must be a 32-bit integer, found {Echo(ref reader)}";
            reader.Skip();
        }

        return null;
    }

    private static int[]? ReadFans(ref Utf8JsonReader reader, RowScratch x, ref string? problem)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            problem = $"\"fan\" must be an array of rpm, found {reader.TokenType}";
            reader.Skip();
            return null;
        }

        x.Fans.Clear();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (problem is not null)
            {
                reader.Skip();
            }
            else if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out int rpm))
            {
                x.Fans.Add(rpm);
            }
            else
            {
                problem = $"\"fan[{x.Fans.Count}]\" must be a 32-bit integer (rpm), found {Echo(ref reader)}";
                reader.Skip();
            }
        }

        return problem is null ? [.. x.Fans] : null;
    }

    private static TelemetryPool[] ReadPoolRows(ref Utf8JsonReader reader, RowScratch x, ref string? problem)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return [];
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            problem = $"\"pl\" must be an array of pool rows, found {reader.TokenType}";
            reader.Skip();
            return [];
        }

        if (x.Tables.PoolCols is null)
        {
            reader.Skip();
            problem = "has pools, but the payload has no \"pcols\" naming their values";
            return [];
        }

        PoolCol[] cols = x.Tables.PoolCols;
        x.Pools.Clear();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            int j = x.Pools.Count;
            if (problem is not null)
            {
                reader.Skip();
                continue;
            }

            if (reader.TokenType != JsonTokenType.StartArray)
            {
                problem = $"\"pl[{j}]\" must be a pool row (an array of the values \"pcols\" names), found {reader.TokenType}";
                reader.Skip();
                continue;
            }

            int? poolRef = null, index = null, priority = null, quota = null;
            long accepted = 0, rejected = 0, stale = 0;
            double? da = null, dr = null, ds = null;
            bool? active = null;
            string? status = null;
            int c = 0;
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                PoolCol col = c < cols.Length ? cols[c] : PoolCol.Unknown;
                c++;
                if (problem is not null)
                {
                    reader.Skip();
                    continue;
                }

                switch (col)
                {
                    case PoolCol.P:
                        poolRef = ReadInt(ref reader, "p", j, ref problem);
                        break;
                    case PoolCol.I:
                        index = ReadInt(ref reader, "i", j, ref problem);
                        break;
                    case PoolCol.A:
                        accepted = ReadLong(ref reader, "a", j, ref problem) ?? 0;
                        break;
                    case PoolCol.R:
                        rejected = ReadLong(ref reader, "r", j, ref problem) ?? 0;
                        break;
                    case PoolCol.S:
                        stale = ReadLong(ref reader, "s", j, ref problem) ?? 0;
                        break;
                    case PoolCol.Da:
                        da = ReadDouble(ref reader, "da", j, ref problem);
                        break;
                    case PoolCol.Dr:
                        dr = ReadDouble(ref reader, "dr", j, ref problem);
                        break;
                    case PoolCol.Ds:
                        ds = ReadDouble(ref reader, "ds", j, ref problem);
                        break;
                    case PoolCol.On:
                        if (reader.TokenType is JsonTokenType.True or JsonTokenType.False)
                        {
                            active = reader.GetBoolean();
                        }
                        else if (reader.TokenType != JsonTokenType.Null)
                        {
                            problem = $"\"pl[{j}].on\" must be true or false, found {reader.TokenType}";
                            reader.Skip();
                        }

                        break;
                    case PoolCol.St:
                        status = x.Status(ref reader, j, ref problem);
                        break;
                    case PoolCol.Pr:
                        priority = ReadInt(ref reader, "pr", j, ref problem);
                        break;
                    case PoolCol.Q:
                        quota = ReadInt(ref reader, "q", j, ref problem);
                        break;
                    default:
                        reader.Skip();
                        break;
                }
            }

            if (problem is not null)
            {
                continue;
            }

            if (c > cols.Length)
            {
                problem = $"\"pl[{j}]\" has {c} values, but \"pcols\" names {cols.Length}";
            }
            else if (poolRef is not { } p || p < 0 || p >= x.Tables.Pools.Length)
            {
                problem = poolRef is null ? $"\"pl[{j}]\" has no \"p\" (the pool)" : $"\"pl[{j}].p\" refers to pool {poolRef}, but the batch names {x.Tables.Pools.Length} pools";
            }
            else if (index is null)
            {
                problem = $"\"pl[{j}]\" has no \"i\" (the miner's pool index)";
            }
            else
            {
                PoolName name = x.Tables.Pools[p];
                x.Pools.Add(new TelemetryPool
                {
                    Index = index.Value,
                    Url = name.Url,
                    User = name.User,
                    Status = status,
                    Priority = priority,
                    Active = active,
                    Accepted = accepted,
                    Rejected = rejected,
                    Stale = stale,
                    DifficultyAccepted = da,
                    DifficultyRejected = dr,
                    DifficultyStale = ds,
                    Quota = quota,
                });
            }
        }

        return problem is null ? [.. x.Pools] : [];
    }

    /// <summary>A short rendering of the current token for a problem text (never more than 40 characters of the payload).</summary>
    private static string Echo(ref Utf8JsonReader reader)
    {
        if (reader.TokenType is JsonTokenType.Number or JsonTokenType.String)
        {
            ReadOnlySpan<byte> raw = reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan;
            string text = Encoding.UTF8.GetString(raw[..Math.Min(raw.Length, 40)]);
            return reader.TokenType == JsonTokenType.String ? $"'{BoundedText.Echo(text, 40)}'" : BoundedText.Echo(text, 40);
        }

        return reader.TokenType.ToString();
    }

    private sealed record Kind(string Profile, string? Model, string? Firmware);

    private sealed record PoolName(string Url, string? User);

    private sealed class Tables
    {
        public Col[]? Cols { get; set; }

        public PoolCol[]? PoolCols { get; set; }

        public Kind[] Kinds { get; private set; } = [];

        public PoolName[] Pools { get; private set; } = [];

        public bool KindsRead { get; private set; }

        public bool PoolsRead { get; private set; }

        /// <summary>Everything a row refers to has been read.</summary>
        public bool Complete => Cols is not null && PoolCols is not null && KindsRead && PoolsRead;

        public void SetKinds(Kind[] kinds)
        {
            Kinds = kinds;
            KindsRead = true;
        }

        public void SetPools(PoolName[] pools)
        {
            Pools = pools;
            PoolsRead = true;
        }
    }

    /// <summary>What reading one batch's rows reuses from row to row: the tables, scratch lists, the pool statuses met so far.</summary>
    private sealed class RowScratch(Tables tables, DateTimeOffset ts)
    {
        private readonly List<(byte[] Utf8, string Text)> _statuses = [];

        public Tables Tables { get; } = tables;

        public DateTimeOffset Ts { get; } = ts;

        public List<int> Fans { get; } = [];

        public List<TelemetryPool> Pools { get; } = [];

        /// <summary>A pool status; the same text within a batch is one string ("Alive" on every miner is allocated once).</summary>
        public string? Status(ref Utf8JsonReader reader, int j, ref string? problem)
        {
            if (reader.TokenType == JsonTokenType.Null)
            {
                return null;
            }

            if (reader.TokenType != JsonTokenType.String)
            {
                problem = $"\"pl[{j}].st\" must be a string, found {reader.TokenType}";
                reader.Skip();
                return null;
            }

            if (!reader.ValueIsEscaped && !reader.HasValueSequence)
            {
                foreach ((byte[] utf8, string text) in _statuses)
                {
                    if (reader.ValueSpan.SequenceEqual(utf8))
                    {
                        return text;
                    }
                }
            }

            string value;
            try
            {
                value = reader.GetString()!;
            }
            catch (InvalidOperationException)
            {
                problem = $"\"pl[{j}].st\" is not valid UTF-8";
                return null;
            }

            if (_statuses.Count < 16)
            {
                _statuses.Add((Encoding.UTF8.GetBytes(value), value));
            }

            return value;
        }
    }
}
