using System.Globalization;
using System.Text.Json;
using CloudMining.Farm.Shared.MinerApi;
using CloudMining.Farm.Shared.Snapshots;
using CloudMining.Farm.Shared.Units;

namespace CloudMining.Farm.Shared.Firmware;

/// <summary>Fans and pools.</summary>
public static partial class SnapshotDecoder
{
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

    private static int ToRpm(double rpm) => (int)Math.Clamp(rpm, 0, 1_000_000);
}
