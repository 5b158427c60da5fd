using System.Globalization;
using System.Text.Json;
using CloudMining.Farm.Shared.MinerApi;
using CloudMining.Farm.Shared.Snapshots;
using CloudMining.Farm.Shared.Units;

namespace CloudMining.Farm.Shared.Firmware;

/// <summary>
/// Turns a firmware profile and a miner's parsed replies into one <see cref="MinerSnapshot"/>, following the plan the profile
/// compiled at load. Never throws for what a miner sent: unreadable parts become warnings, a useless read becomes a typed error.
/// </summary>
public static class SnapshotDecoder
{
    private const int MaxModuleBoards = 16;

    /// <summary>Decodes <paramref name="replies"/> (one per command, in any order) through <paramref name="profile"/>.</summary>
    public static MinerReadResult Decode(FirmwareProfile profile, IReadOnlyList<ApiReplyResult> replies)
    {
        ArgumentNullException.ThrowIfNull(profile);
        ArgumentNullException.ThrowIfNull(replies);
        try
        {
            return DecodeCore(profile, replies);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or FormatException or OverflowException or IndexOutOfRangeException or KeyNotFoundException)
        {
            // A reply shape no rule foresaw must not take the poll loop down; say what happened instead.
            return MinerReadResult.Failure(new MinerApiError(
                MinerApiErrorKind.UnsupportedReply,
                $"The '{profile.Name}' profile could not decode these replies ({ex.GetType().Name}: {ex.Message}). Check the capture with 'farm-agent decode' and adjust the profile."));
        }
    }

    private static MinerReadResult DecodeCore(FirmwareProfile profile, IReadOnlyList<ApiReplyResult> replies)
    {
        var byCommand = new ApiReply?[profile.Commands.Length];
        List<string>? warnings = null;
        MinerApiError? firstError = null;
        bool anyReply = false;
        foreach (ApiReplyResult result in replies)
        {
            int index = IndexOf(profile.Commands, result.Command);
            if (result.IsSuccess)
            {
                if (index >= 0)
                {
                    byCommand[index] ??= result.Reply;
                    anyReply = true;
                }

                continue;
            }

            firstError ??= result.Error;
            if (Contains(profile.RequiredCommands, result.Command))
            {
                return MinerReadResult.Failure(result.Error);
            }

            (warnings ??= []).Add($"{result.Command}: {result.Error}");
        }

        if (!anyReply)
        {
            return MinerReadResult.Failure(firstError ?? new MinerApiError(
                MinerApiErrorKind.UnsupportedReply,
                $"None of the replies is one the '{profile.Name}' profile reads ({string.Join(", ", profile.ReadCommands)}). Capture those commands, or pick the right profile."));
        }

        var context = new DecodeContext(byCommand);
        Hashrate? h5 = ReadHashrate(context, profile.Hashrate5s, ref warnings);
        Hashrate? hav = ReadHashrate(context, profile.HashrateAverage, ref warnings);
        Hashrate? hnom = ReadHashrate(context, profile.HashrateNominal, ref warnings);
        List<BoardReading> boards = ReadBoards(context, profile.Boards, ref warnings);
        List<FanReading> fans = ReadFans(context, profile.Fans, ref warnings);
        List<PoolReading> pools = profile.Pools is null ? [] : ReadPools(context, profile.Pools, ref warnings);

        if (h5 is null && hav is null && boards.Count == 0 && pools.Count == 0 && fans.Count == 0)
        {
            string seen = string.Join(", ", replies.Where(r => r.IsSuccess).Select(r => r.Command));
            return MinerReadResult.Failure(new MinerApiError(
                MinerApiErrorKind.UnsupportedReply,
                $"The replies ({seen}) carry none of what the '{profile.Name}' profile maps (hashrate, boards, fans, pools). Read {string.Join(", ", profile.ReadCommands)}, or check the profile against this firmware's fields.")
            {
                Command = seen,
            });
        }

        double? power = ReadNumber(context, profile.Power, ref warnings);
        double? uptime = ReadNumber(context, profile.Uptime, ref warnings);
        double? hw = ReadNumber(context, profile.HardwareErrors, ref warnings);
        var snapshot = new MinerSnapshot
        {
            Identity = new MinerIdentity
            {
                Profile = profile.Name,
                Model = ReadText(context, profile.Model),
                Firmware = ReadText(context, profile.Firmware),
                FirmwareVersion = ReadText(context, profile.FirmwareVersion),
                Serial = ReadText(context, profile.Serial),
                Mac = ReadText(context, profile.Mac),
            },
            Timestamp = Timestamp(byCommand),
            Hashrate5s = h5,
            HashrateAverage = hav,
            HashrateNominal = hnom,
            Boards = boards,
            Fans = fans,
            Power = power is > 0 ? Units.Power.FromWatts(power.Value) : null,
            Pools = pools,
            Uptime = uptime is >= 0 and < 1e9 ? TimeSpan.FromSeconds(uptime.Value) : null,
            HardwareErrors = hw is null ? null : ToLong(hw.Value),
            Warnings = (IReadOnlyList<string>?)warnings ?? [],
        };
        return MinerReadResult.Success(snapshot);
    }

    private static DateTimeOffset? Timestamp(ApiReply?[] replies)
    {
        foreach (ApiReply? reply in replies)
        {
            // Some firmwares put seconds since boot in When; only a plausible wall clock (after 2009) is a timestamp.
            if (reply?.Status?.When is long when && when > 1_230_000_000 && when < 4_000_000_000)
            {
                return DateTimeOffset.FromUnixTimeSeconds(when);
            }
        }

        return null;
    }

    private static Hashrate? ReadHashrate(DecodeContext context, FieldSource[] sources, ref List<string>? warnings)
    {
        foreach (FieldSource source in sources)
        {
            if (TryNumber(context, source, ref warnings, out double value))
            {
                double hs = value * source.Factor;
                return double.IsFinite(hs) && hs >= 0 ? new Hashrate(hs) : null;
            }
        }

        return null;
    }

    private static double? ReadNumber(DecodeContext context, FieldSource[] sources, ref List<string>? warnings)
    {
        foreach (FieldSource source in sources)
        {
            if (TryNumber(context, source, ref warnings, out double value))
            {
                return value * source.Factor;
            }
        }

        return null;
    }

    private static string? ReadText(DecodeContext context, FieldSource[] sources)
    {
        foreach (FieldSource source in sources)
        {
            if (source.Kv is not null)
            {
                foreach (string module in context.Modules(source.Command, source.Section!, source.Key.TrimEnd('*')))
                {
                    if (AvalonKeyValue.TryGetRaw(module, source.Kv, out ReadOnlySpan<char> raw) && !raw.IsWhiteSpace())
                    {
                        return raw.Trim().ToString();
                    }
                }

                continue;
            }

            if (context.TryFind(source.Command, source.Section!, source.Key, out JsonElement value) && JsonLookup.GetText(value) is { Length: > 0 } text)
            {
                return text.Trim();
            }
        }

        return null;
    }

    private static bool TryNumber(DecodeContext context, FieldSource source, ref List<string>? warnings, out double value)
    {
        if (source.Kv is not null)
        {
            return TryModulesNumber(context, source, out value);
        }

        if (source.Aggregate != FieldAggregate.First)
        {
            return TryAggregateRows(context, source, out value);
        }

        if (!context.TryFind(source.Command, source.Section!, source.Key, out JsonElement element))
        {
            value = 0;
            return false;
        }

        if (JsonLookup.TryGetDouble(element, out value))
        {
            return true;
        }

        if (source.MaxOfDashes && TryMaxOfDashes(element, out value))
        {
            return true;
        }

        Warn(ref warnings, source.Description, element);
        return false;
    }

    /// <summary>Sum or max of a key over every object of the section (the boards of devs, when summary is missing).</summary>
    private static bool TryAggregateRows(DecodeContext context, FieldSource source, out double value)
    {
        value = 0;
        bool found = false;
        foreach (JsonElement section in context.Sections(source.Command, source.Section!))
        {
            foreach (JsonElement row in new JsonLookup.ObjectEnumerable(section))
            {
                if (JsonLookup.TryGetProperty(row, source.Key, out JsonElement v) && JsonLookup.TryGetDouble(v, out double d))
                {
                    value = !found ? d : source.Aggregate == FieldAggregate.Sum ? value + d : Math.Max(value, d);
                    found = true;
                }
            }
        }

        return found;
    }

    private static bool TryModulesNumber(DecodeContext context, FieldSource source, out double value)
    {
        Span<double> numbers = stackalloc double[MaxModuleBoards];
        bool found = false;
        value = 0;
        foreach (string module in context.Modules(source.Command, source.Section!, source.Key.TrimEnd('*')))
        {
            int n = AvalonKeyValue.ReadNumbers(module, source.Kv, numbers);
            if (n == 0)
            {
                continue;
            }

            double v = numbers[0];
            if (!found)
            {
                value = v;
                found = true;
                if (source.Aggregate == FieldAggregate.First)
                {
                    return true;
                }
            }
            else
            {
                value = source.Aggregate == FieldAggregate.Sum ? value + v : Math.Max(value, v);
            }
        }

        return found;
    }

    private static List<BoardReading> ReadBoards(DecodeContext context, BoardPlan plan, ref List<string>? warnings)
    {
        var boards = new List<BoardReading>();
        switch (plan.Style)
        {
            case BoardStyle.Indexed:
                if (!context.TryGetSection(plan.Command, plan.Section, out JsonElement section))
                {
                    break;
                }

                for (int slot = 0; slot < plan.Present.Length; slot++)
                {
                    if (!SlotPresent(section, plan.Present[slot]))
                    {
                        continue;
                    }

                    boards.Add(new BoardReading
                    {
                        Index = plan.First + slot,
                        Hashrate = BoardHashrate(context, section, default, plan.Hashrate, slot, ref warnings),
                        ChipTemperature = BoardTemperature(context, section, default, plan.ChipTemperature, slot, ref warnings),
                        BoardTemperature = BoardTemperature(context, section, default, plan.BoardTemperature, slot, ref warnings),
                        Chips = BoardNumber(context, section, default, plan.Chips, slot, ref warnings) is double c ? (int)Math.Clamp(c, 0, int.MaxValue) : null,
                        HardwareErrors = BoardNumber(context, section, default, plan.HardwareErrors, slot, ref warnings) is double e ? ToLong(e) : null,
                        Status = BoardText(section, default, plan.Status, slot),
                    });
                }

                break;
            case BoardStyle.Rows:
                int running = 0;
                if (ReadBoardRows(context, plan, plan.Command, plan.Section, boards, ref running, ref warnings))
                {
                    break;
                }

                foreach ((int command, string alternative) in plan.Alternatives)
                {
                    if (ReadBoardRows(context, plan, command, alternative, boards, ref running, ref warnings))
                    {
                        break;
                    }
                }

                break;
            case BoardStyle.Modules:
                ReadModuleBoards(context, plan, boards);
                break;
        }

        return boards;
    }

    /// <summary>Reads one board per object of the section (or of every section matching "NAME*"); false when the section is absent.</summary>
    private static bool ReadBoardRows(DecodeContext context, BoardPlan plan, int command, string section, List<BoardReading> boards, ref int running, ref List<string>? warnings)
    {
        bool any = false;
        foreach (JsonElement rows in context.Sections(command, section))
        {
            any = true;
            foreach (JsonElement row in new JsonLookup.ObjectEnumerable(rows))
            {
                int index = RowIndex(row, plan.Index, running++);
                var board = new BoardReading
                {
                    Index = index,
                    Hashrate = BoardHashrate(context, row, row, plan.Hashrate, -1, ref warnings),
                    ChipTemperature = BoardTemperature(context, row, row, plan.ChipTemperature, -1, ref warnings),
                    BoardTemperature = BoardTemperature(context, row, row, plan.BoardTemperature, -1, ref warnings),
                    Chips = BoardNumber(context, row, row, plan.Chips, -1, ref warnings) is double c ? (int)Math.Clamp(c, 0, int.MaxValue) : null,
                    HardwareErrors = BoardNumber(context, row, row, plan.HardwareErrors, -1, ref warnings) is double e ? ToLong(e) : null,
                    Status = BoardText(row, row, plan.Status, -1),
                };

                // A row that carries none of the board fields (an empty STATS3 slot) is not a board.
                if (board.Hashrate is not null || board.ChipTemperature is not null || board.BoardTemperature is not null || board.Chips is not null || board.HardwareErrors is not null || board.Status is not null)
                {
                    boards.Add(board);
                }
            }
        }

        return any;
    }

    private static void ReadModuleBoards(DecodeContext context, BoardPlan plan, List<BoardReading> boards)
    {
        Span<double> values = stackalloc double[MaxModuleBoards];
        foreach (string module in context.Modules(plan.Command, plan.Section, plan.KeyPrefix))
        {
            // A module whose per-board fields carry N numbers is N boards (Avalon 15: MGHS[a b c]); otherwise it is one board.
            int count = 1;
            foreach (FieldSource f in plan.Hashrate)
            {
                if (f.PerBoard && AvalonKeyValue.ReadNumbers(module, f.Kv ?? f.Key, values) is int n && n > 0)
                {
                    count = n;
                    break;
                }
            }

            for (int b = 0; b < count; b++)
            {
                double? hashrate = ModuleValue(module, plan.Hashrate, b, count, values);
                double? chip = ModuleValue(module, plan.ChipTemperature, b, count, values);
                double? board = ModuleValue(module, plan.BoardTemperature, b, count, values);
                double? chips = ModuleValue(module, plan.Chips, b, count, values);
                double? hw = ModuleValue(module, plan.HardwareErrors, b, count, values);
                boards.Add(new BoardReading
                {
                    Index = boards.Count,
                    Hashrate = hashrate is double h && double.IsFinite(h * Factor(plan.Hashrate)) ? new Hashrate(h * Factor(plan.Hashrate)) : null,
                    ChipTemperature = ValidTemperature(chip),
                    BoardTemperature = ValidTemperature(board),
                    Chips = chips is double c ? (int)Math.Clamp(c, 0, int.MaxValue) : null,
                    HardwareErrors = hw is double e ? ToLong(e) : null,
                });
            }
        }
    }

    private static double Factor(FieldSource[] sources) => sources.Length == 0 ? 1 : sources[0].Factor;

    private static double? ModuleValue(string module, FieldSource[] sources, int board, int count, Span<double> buffer)
    {
        foreach (FieldSource f in sources)
        {
            int n = AvalonKeyValue.ReadNumbers(module, f.Kv ?? f.Key, buffer);
            if (n == 0)
            {
                continue;
            }

            if (f.PerBoard)
            {
                if (n == count && board < n)
                {
                    return buffer[board];
                }

                continue;
            }

            // A whole-module value stands for its only board; split across boards it would mislead.
            if (count == 1)
            {
                return buffer[0];
            }
        }

        return null;
    }

    private static bool SlotPresent(JsonElement section, string[] keys)
    {
        foreach (string key in keys)
        {
            if (TryFindInSection(section, key, out JsonElement v)
                && (JsonLookup.TryGetDouble(v, out double d) ? d != 0 : JsonLookup.HasContent(v)))
            {
                return true;
            }
        }

        return false;
    }

    private static Hashrate? BoardHashrate(DecodeContext context, JsonElement section, JsonElement row, FieldSource[] sources, int slot, ref List<string>? warnings)
    {
        foreach (FieldSource f in sources)
        {
            if (BoardTry(context, section, row, f, slot, ref warnings, out double v))
            {
                double hs = v * f.Factor;
                return double.IsFinite(hs) && hs >= 0 ? new Hashrate(hs) : null;
            }
        }

        return null;
    }

    private static Temperature? BoardTemperature(DecodeContext context, JsonElement section, JsonElement row, FieldSource[] sources, int slot, ref List<string>? warnings)
    {
        foreach (FieldSource f in sources)
        {
            if (BoardTry(context, section, row, f, slot, ref warnings, out double v) && ValidTemperature(v) is Temperature t)
            {
                return t;
            }
        }

        return null;
    }

    private static double? BoardNumber(DecodeContext context, JsonElement section, JsonElement row, FieldSource[] sources, int slot, ref List<string>? warnings)
    {
        foreach (FieldSource f in sources)
        {
            if (BoardTry(context, section, row, f, slot, ref warnings, out double v))
            {
                return v;
            }
        }

        return null;
    }

    private static string? BoardText(JsonElement section, JsonElement row, FieldSource[] sources, int slot)
    {
        foreach (FieldSource f in sources)
        {
            JsonElement scope = slot >= 0 ? section : row;
            if (TryFindInSection(scope, f.KeyFor(Math.Max(slot, 0)), out JsonElement v) && JsonLookup.GetText(v) is { Length: > 0 } text)
            {
                return text;
            }
        }

        return null;
    }

    private static bool BoardTry(DecodeContext context, JsonElement section, JsonElement row, FieldSource f, int slot, ref List<string>? warnings, out double value)
    {
        JsonElement element;
        if (f.FromCommand >= 0)
        {
            // Joined field: find the row of the other section that shares the 'on' key with this board's row.
            if (!JsonLookup.TryGetProperty(row, f.On!, out JsonElement id) || !context.TryGetSection(f.FromCommand, f.FromSection!, out JsonElement other))
            {
                value = 0;
                return false;
            }

            bool found = false;
            element = default;
            foreach (JsonElement candidate in new JsonLookup.ObjectEnumerable(other))
            {
                if (JsonLookup.TryGetProperty(candidate, f.On!, out JsonElement cid) && SameValue(id, cid) && JsonLookup.TryGetProperty(candidate, f.Key, out element))
                {
                    found = true;
                    break;
                }
            }

            if (!found)
            {
                value = 0;
                return false;
            }
        }
        else if (!TryFindInSection(slot >= 0 ? section : row, f.KeyFor(Math.Max(slot, 0)), out element))
        {
            value = 0;
            return false;
        }

        if (JsonLookup.TryGetDouble(element, out value))
        {
            return true;
        }

        if (f.MaxOfDashes && TryMaxOfDashes(element, out value))
        {
            return true;
        }

        if (JsonLookup.HasContent(element))
        {
            Warn(ref warnings, f.Description, element);
        }

        return false;
    }

    private static List<FanReading> ReadFans(DecodeContext context, FanPlan plan, ref List<string>? warnings)
    {
        var fans = new List<FanReading>();
        switch (plan.Style)
        {
            case FanStyle.Indexed:
                if (!context.TryGetSection(plan.Command, plan.Section, out JsonElement section))
                {
                    break;
                }

                for (int slot = 0; slot < plan.Rpm.Length; slot++)
                {
                    if (TryFindInSection(section, plan.Rpm[slot], out JsonElement v) && JsonLookup.TryGetDouble(v, out double rpm) && !(plan.SkipZero && rpm == 0))
                    {
                        fans.Add(new FanReading(plan.First + slot, ToRpm(rpm)));
                    }
                }

                break;
            case FanStyle.Rows:
                if (!context.TryGetSection(plan.Command, plan.Section, out JsonElement rows))
                {
                    break;
                }

                int running = 0;
                foreach (JsonElement row in new JsonLookup.ObjectEnumerable(rows))
                {
                    int index = RowIndex(row, plan.Index, running++);
                    foreach (string key in plan.Rpm)
                    {
                        if (JsonLookup.TryGetProperty(row, key, out JsonElement v) && JsonLookup.TryGetDouble(v, out double rpm))
                        {
                            if (!(plan.SkipZero && rpm == 0))
                            {
                                double? duty = plan.Duty is not null && JsonLookup.TryGetProperty(row, plan.Duty, out JsonElement d) && JsonLookup.TryGetDouble(d, out double dv) ? dv : null;
                                fans.Add(new FanReading(index, ToRpm(rpm), duty));
                            }

                            break;
                        }
                    }
                }

                break;
            case FanStyle.Keys:
                for (int i = 0; i < plan.Sources.Length; i++)
                {
                    if (TryNumber(context, plan.Sources[i], ref warnings, out double rpm) && !(plan.SkipZero && rpm == 0))
                    {
                        fans.Add(new FanReading(i, ToRpm(rpm)));
                    }
                }

                break;
            case FanStyle.Modules:
                Span<double> one = stackalloc double[1];
                foreach (string module in context.Modules(plan.Command, plan.Section, plan.KeyPrefix))
                {
                    foreach (string key in plan.Rpm)
                    {
                        if (AvalonKeyValue.ReadNumbers(module, key, one) == 1 && !(plan.SkipZero && one[0] == 0))
                        {
                            fans.Add(new FanReading(fans.Count, ToRpm(one[0])));
                        }
                    }
                }

                break;
        }

        return fans;
    }

    private static List<PoolReading> ReadPools(DecodeContext context, PoolPlan plan, ref List<string>? warnings)
    {
        var pools = new List<PoolReading>();
        int running = 0;
        foreach (JsonElement section in context.Sections(plan.Command, plan.Section))
        {
            foreach (JsonElement row in new JsonLookup.ObjectEnumerable(section))
            {
                int index = RowIndex(row, plan.IndexKeys, running++);
                string? url = JsonLookup.TryGetProperty(row, plan.Url, out JsonElement u) ? JsonLookup.GetText(u) : null;
                if (string.IsNullOrWhiteSpace(url))
                {
                    continue; // an empty slot, not a configured pool
                }

                pools.Add(new PoolReading
                {
                    Index = index,
                    Url = url.Trim(),
                    User = Text(row, plan.User),
                    Status = Text(row, plan.Status),
                    Priority = Number(row, plan.Priority) is double p ? (int)Math.Clamp(p, int.MinValue, int.MaxValue) : null,
                    Quota = Number(row, plan.Quota) is double q ? (int)Math.Clamp(q, int.MinValue, int.MaxValue) : null,
                    Active = Bool(row, plan.Active),
                    Accepted = Number(row, plan.Accepted) is double a ? ToLong(a) : 0,
                    Rejected = Number(row, plan.Rejected) is double r ? ToLong(r) : 0,
                    Stale = Number(row, plan.Stale) is double st ? ToLong(st) : 0,
                    DifficultyAccepted = Number(row, plan.DifficultyAccepted) ?? 0,
                    DifficultyRejected = Number(row, plan.DifficultyRejected) ?? 0,
                    DifficultyStale = Number(row, plan.DifficultyStale) ?? 0,
                    LastShareTime = ShareTime(row, plan.LastShareTime),
                });
            }
        }

        if (pools.Count == 0 && running > 0)
        {
            (warnings ??= []).Add($"{plan.Section}: {running} pool slot(s), none with a URL");
        }

        return pools;
    }

    private static string? Text(JsonElement row, string key) =>
        JsonLookup.TryGetProperty(row, key, out JsonElement v) ? JsonLookup.GetText(v) : null;

    private static double? Number(JsonElement row, string key) =>
        JsonLookup.TryGetProperty(row, key, out JsonElement v) && JsonLookup.TryGetDouble(v, out double d) ? d : null;

    private static bool? Bool(JsonElement row, string key)
    {
        if (!JsonLookup.TryGetProperty(row, key, out JsonElement v))
        {
            return null;
        }

        return v.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.String => v.GetString() is "true" or "Y" or "y" or "yes" ? true : v.GetString() is "false" or "N" or "n" or "no" ? false : null,
            JsonValueKind.Number => v.TryGetDouble(out double d) ? d != 0 : null,
            _ => null,
        };
    }

    private static DateTimeOffset? ShareTime(JsonElement row, string key)
    {
        // Unix seconds where the firmware gives them; "0:00:02" (time since) and "0" say nothing absolute.
        if (JsonLookup.TryGetProperty(row, key, out JsonElement v) && JsonLookup.TryGetDouble(v, out double seconds) && seconds > 1_230_000_000 && seconds < 4_000_000_000)
        {
            return DateTimeOffset.FromUnixTimeSeconds((long)seconds);
        }

        return null;
    }

    private static int RowIndex(JsonElement row, string[] keys, int fallback)
    {
        foreach (string key in keys)
        {
            if (JsonLookup.TryGetProperty(row, key, out JsonElement v) && JsonLookup.TryGetDouble(v, out double d) && d is >= 0 and < int.MaxValue)
            {
                return (int)d;
            }
        }

        return fallback;
    }

    private static bool TryFindInSection(JsonElement section, string key, out JsonElement value)
    {
        foreach (JsonElement item in new JsonLookup.ObjectEnumerable(section))
        {
            if (JsonLookup.TryGetProperty(item, key, out value) && value.ValueKind is not JsonValueKind.Null)
            {
                return true;
            }
        }

        value = default;
        return false;
    }

    private static bool TryMaxOfDashes(JsonElement element, out double max)
    {
        // "7-4-25-27": readings joined by '-'; a negative reading shows as "--1".
        max = double.MinValue;
        string? text = element.ValueKind == JsonValueKind.String ? element.GetString() : null;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        bool any = false;
        int i = 0;
        while (i < text.Length)
        {
            int start = i;
            if (text[i] == '-')
            {
                i++;
            }

            while (i < text.Length && (char.IsDigit(text[i]) || text[i] == '.'))
            {
                i++;
            }

            if (double.TryParse(text.AsSpan(start, i - start), NumberStyles.Float, CultureInfo.InvariantCulture, out double v))
            {
                max = Math.Max(max, v);
                any = true;
            }

            if (i < text.Length && text[i] == '-')
            {
                i++;
            }

            if (i == start)
            {
                i++;
            }
        }

        return any;
    }

    private static bool SameValue(JsonElement a, JsonElement b) =>
        JsonLookup.TryGetDouble(a, out double x) && JsonLookup.TryGetDouble(b, out double y) ? x == y : JsonLookup.GetText(a) == JsonLookup.GetText(b);

    private static Temperature? ValidTemperature(double? celsius) =>
        celsius is double c && c != 0 && c > -40 && c < 200 ? new Temperature(c) : null; // 0 and -273 mean "no sensor"

    private static int ToRpm(double rpm) => (int)Math.Clamp(rpm, 0, 1_000_000);

    private static long ToLong(double value) => value >= long.MaxValue ? long.MaxValue : value <= long.MinValue ? long.MinValue : (long)value;

    private static void Warn(ref List<string>? warnings, string where, JsonElement value)
    {
        string raw = value.ValueKind == JsonValueKind.String ? value.GetString() ?? string.Empty : value.GetRawText();
        if (raw.Length > 40)
        {
            raw = raw[..40] + "…";
        }

        (warnings ??= []).Add($"{where} is '{raw}', not a number");
    }

    private static int IndexOf(string[] commands, string command)
    {
        for (int i = 0; i < commands.Length; i++)
        {
            if (string.Equals(commands[i], command, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        return -1;
    }

    private static bool Contains(IReadOnlyList<string> list, string value)
    {
        for (int i = 0; i < list.Count; i++)
        {
            if (string.Equals(list[i], value, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The replies of one decode, indexed like the profile's commands.</summary>
    private readonly struct DecodeContext(ApiReply?[] replies)
    {
        public bool TryGetSection(int command, string section, out JsonElement value)
        {
            ApiReply? reply = command >= 0 && command < replies.Length ? replies[command] : null;
            if (reply is null)
            {
                value = default;
                return false;
            }

            return reply.TryGetSection(section, out value);
        }

        public bool TryFind(int command, string section, string key, out JsonElement value)
        {
            if (TryGetSection(command, section, out JsonElement s))
            {
                foreach (JsonElement item in new JsonLookup.ObjectEnumerable(s))
                {
                    if (JsonLookup.TryGetProperty(item, key, out value) && JsonLookup.HasContent(value))
                    {
                        return true;
                    }
                }
            }

            value = default;
            return false;
        }

        /// <summary>The section, or with a trailing '*' every top-level section whose name starts with the rest (POOL0, POOL1…).</summary>
        public SectionEnumerable Sections(int command, string section) =>
            new(command >= 0 && command < replies.Length ? replies[command] : null, section);

        /// <summary>The module strings: values of keys starting with the prefix ("MM ID0", "MM ID1"…), in every object of the section.</summary>
        public IEnumerable<string> Modules(int command, string section, string prefix)
        {
            if (!TryGetSection(command, section, out JsonElement s))
            {
                yield break;
            }

            foreach (JsonElement item in new JsonLookup.ObjectEnumerable(s))
            {
                foreach (JsonProperty property in item.EnumerateObject())
                {
                    if (property.Value.ValueKind == JsonValueKind.String && property.Name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
                    {
                        yield return property.Value.GetString()!;
                    }
                }
            }
        }
    }

    /// <summary>Enumerates the sections a name or "NAME*" pattern selects, without allocating for a plain name.</summary>
    private readonly struct SectionEnumerable(ApiReply? reply, string section)
    {
        public Enumerator GetEnumerator() => new(reply, section);

        public struct Enumerator
        {
            private readonly ApiReply? _reply;
            private readonly string _section;
            private readonly bool _wildcard;
            private JsonElement.ObjectEnumerator _properties;
            private int _state;

            public Enumerator(ApiReply? reply, string section)
            {
                _reply = reply;
                _section = section;
                _wildcard = section.EndsWith('*');
                _properties = _wildcard && reply is not null && reply.Root.ValueKind == JsonValueKind.Object ? reply.Root.EnumerateObject() : default;
                _state = reply is null ? 0 : _wildcard ? 2 : 1;
                Current = default;
            }

            public JsonElement Current { get; private set; }

            public bool MoveNext()
            {
                if (_state == 1)
                {
                    _state = 0;
                    if (_reply!.TryGetSection(_section, out JsonElement s))
                    {
                        Current = s;
                        return true;
                    }

                    return false;
                }

                if (_state == 2)
                {
                    ReadOnlySpan<char> prefix = _section.AsSpan(0, _section.Length - 1);
                    while (_properties.MoveNext())
                    {
                        JsonProperty p = _properties.Current;
                        if (p.Name.AsSpan().StartsWith(prefix, StringComparison.OrdinalIgnoreCase) && !p.Name.Equals("STATUS", StringComparison.OrdinalIgnoreCase))
                        {
                            Current = p.Value;
                            return true;
                        }
                    }

                    _state = 0;
                }

                return false;
            }
        }
    }
}
