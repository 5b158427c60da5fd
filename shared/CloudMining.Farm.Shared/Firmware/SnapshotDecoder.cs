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
public static partial class SnapshotDecoder
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
}
