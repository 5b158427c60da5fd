using System.Globalization;
using CloudMining.Farm.ControlApi;

namespace CloudMining.Farm.Ctl.Ledger;

/// <summary>
/// `farmctl contracts proof ID --csv`: one row per contract-hour, the ledger's columns plus the pool's TH·h and the
/// miners that served the hour as "id:share_hours" joined by ';', and (added last, so column positions hold) their
/// serial numbers as "id:serial" joined by ';', "unknown" for a firmware that gives none. Invariant culture, hours as
/// ISO 8601 UTC. pool_observed_s is how much of the hour the pool watch covered (pool_th_h counts only that part);
/// pool_th_h_full_hour is pool_th_h for a fully watched hour and scaled up to the whole hour (an estimate) for a partial one.
/// miner_suspect_hours (last) lists the miners that held a share while suspect as "id:suspect_share_hours" (that time is
/// not in miners and nothing was credited for it).
/// </summary>
public static class ProofCsv
{
    public const string Header = "contract_id,hour_utc,in_progress,target_th_h,delivered_th_h,pool_th_h,shortfall_th_h,energy_kwh,maintenance_fee,electricity_cost,miners,miner_serials,pool_observed_s,pool_th_h_full_hour,miner_suspect_hours";

    public static async Task WriteAsync(TextWriter writer, ContractProofView proof, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(proof);
        await writer.WriteAsync((Header + "\n").AsMemory(), cancellationToken);
        foreach (ProofHourView h in proof.Hours.OrderBy(h => h.Hour))
        {
            string line = string.Join(
                ',',
                CsvText.Field(proof.ContractId),
                CsvText.Hour(h.Hour),
                h.Open ? "true" : "false",
                CsvText.Number(h.TargetTerahashHours),
                CsvText.Number(h.DeliveredTerahashHours),
                h.PoolTerahashHours is { } p ? CsvText.Number(p) : string.Empty,
                CsvText.Number(h.ShortfallTerahashHours),
                CsvText.Number(h.EnergyKilowattHours),
                h.MaintenanceFee.ToString(CultureInfo.InvariantCulture),
                h.ElectricityCost.ToString(CultureInfo.InvariantCulture),
                CsvText.Field(string.Join(';', h.Miners.Select(m => m.MinerId + ":" + CsvText.Number(m.ShareHours)))),
                CsvText.Field(string.Join(';', h.Miners.Select(m => m.MinerId + ":" + m.Serial))),
                h.PoolObservedSeconds is { } observed ? CsvText.Number(observed) : string.Empty,
                h.PoolTerahashHoursFullHour is { } full ? CsvText.Number(full) : string.Empty,
                CsvText.Field(string.Join(';', h.Miners.Where(m => m.SuspectHours > 0).Select(m => m.MinerId + ":" + CsvText.Number(m.SuspectHours)))));
            await writer.WriteAsync((line + "\n").AsMemory(), cancellationToken);
        }

        await writer.FlushAsync(cancellationToken);
    }
}
