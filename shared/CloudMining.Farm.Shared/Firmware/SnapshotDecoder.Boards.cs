using System.Globalization;
using System.Text.Json;
using CloudMining.Farm.Shared.MinerApi;
using CloudMining.Farm.Shared.Snapshots;
using CloudMining.Farm.Shared.Units;

namespace CloudMining.Farm.Shared.Firmware;

/// <summary>Hashboards: indexed keys, rows (with joins), Avalon modules.</summary>
public static partial class SnapshotDecoder
{
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
}
