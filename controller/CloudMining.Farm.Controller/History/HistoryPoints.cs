using System.Globalization;
using CloudMining.Farm.Controller.Ingest;
using CloudMining.Farm.Controller.Store;
using CloudMining.Farm.Influx.LineProtocol;
using CloudMining.Farm.Shared.Wire;
using InfluxDB.Client.Api.Domain;
using InfluxDB.Client.Writes;

namespace CloudMining.Farm.Controller.History;

/// <summary>
/// Maps fleet data to InfluxDB points (schema in docs/influx-schema.md). Tags are only bounded identifiers
/// (site, rack, miner, profile, model, contract); pool users, workers and URLs never become tags.
/// </summary>
public static class HistoryPoints
{
    public const string MinerMeasurement = "miner";
    public const string RackMeasurement = "rack";
    public const string ContractMeasurement = "contract";

    /// <summary>One "miner" point per telemetry message, stamped with the payload's ts; null when it carries no value.</summary>
    public static PointData? Miner(MinerTelemetryPayload t)
    {
        ArgumentNullException.ThrowIfNull(t);
        PointData p = PointData.Measurement(MinerMeasurement)
            .Tag("site", t.Site)
            .Tag("rack", t.Rack)
            .Tag("miner", t.MinerId)
            .Tag("profile", Blank(t.Profile))
            .Tag("model", Blank(t.Model));
        p = Optional(p, "hashrate_5s_hs", t.Hashrate5sHs);
        p = Optional(p, "hashrate_avg_hs", t.HashrateAverageHs);
        p = Optional(p, "max_chip_temp_c", t.MaxChipTempC);
        p = Optional(p, "power_w", t.PowerW);
        p = Optional(p, "uptime_s", t.UptimeS);
        if (t.HardwareErrors is { } hw)
        {
            p = p.Field("hw_errors", hw);
        }

        if (t.Fans.Count > 0)
        {
            p = p.Field("fan_rpm_min", (long)t.Fans.Min(f => f.Rpm))
                .Field("fan_rpm_max", (long)t.Fans.Max(f => f.Rpm));
        }

        // Keyed by pool index, not by URL or worker: the index is bounded (a miner has ≤ 3 pools) and names no one.
        foreach (TelemetryPool pool in t.Pools)
        {
            string prefix = "pool" + pool.Index.ToString(CultureInfo.InvariantCulture) + "_";
            p = p.Field(prefix + "accepted", pool.Accepted)
                .Field(prefix + "rejected", pool.Rejected)
                .Field(prefix + "stale", pool.Stale);
            if (pool.DifficultyAccepted is double accepted)
            {
                // The work delivered to the pool, in difficulty-1 units (2^32 hashes each): what proof of delivery sums.
                p = p.Field(prefix + "diff_accepted", accepted);
            }
        }

        return p.HasFields() ? p.Timestamp(t.Timestamp, WritePrecision.Ns) : null;
    }

    /// <summary>One "rack" point with the rack's totals at <paramref name="at"/>.</summary>
    public static PointData Rack(RackLiveState rack, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(rack);
        PointData p = PointData.Measurement(RackMeasurement)
            .Tag("site", rack.Site)
            .Tag("rack", rack.Rack)
            .Field("miners_ok", rack.MinersOk)
            .Field("miners_total", rack.MinersTotal)
            .Field("agent_online", rack.AgentOnline);

        // Sums of absurd (suspect) readings can overflow to infinity; a rack point without them beats a failed history loop.
        p = Optional(p, "hashrate_hs", rack.HashrateHs);
        p = Optional(p, "power_w", rack.PowerW);
        return p.Timestamp(at, WritePrecision.Ns);
    }

    /// <summary>One "contract" point per ledger hour, exactly as the store has it (nothing estimated here).</summary>
    public static PointData Contract(string site, LedgerEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return PointData.Measurement(ContractMeasurement)
            .Tag("site", site)
            .Tag("contract", entry.ContractId)
            .Field("target_thh", entry.TargetTerahashHours)
            .Field("delivered_thh", entry.DeliveredTerahashHours)
            .Field("shortfall_thh", entry.ShortfallTerahashHours)
            .Field("energy_kwh", entry.EnergyKilowattHours)
            .Timestamp(entry.Hour, WritePrecision.Ns);
    }

    // InfluxDB.Client's PointData is immutable: every Field returns a new point, so the result is what counts.
    private static PointData Optional(PointData p, string name, double? value) =>
        // NaN/∞ are not valid line protocol floats; a missing reading is simply an absent field.
        value is { } v && double.IsFinite(v) ? p.Field(name, v) : p;

    // A tag the package could not write faithfully (see LineProtocolNames) is left out like a blank one, so one odd
    // model string cannot make the server refuse a whole batch.
    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) || !LineProtocolNames.CanCarry(s) ? null : s;
}
