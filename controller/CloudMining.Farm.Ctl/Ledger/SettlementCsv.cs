using System.Globalization;
using CloudMining.Farm.ControlApi;

namespace CloudMining.Farm.Ctl.Ledger;

/// <summary>`farmctl ledger export --settlements --csv`: one row per closed settlement period (docs/controller-api.md).</summary>
public static class SettlementCsv
{
    public const string Header = "contract_id,period_start_utc,period_end_utc,target_th_h,delivered_th_h,pool_th_h,shortfall_th_h,tolerated_th_h,make_good,make_good_th_h,extra_hours,credit,energy_kwh,maintenance_fee,electricity_cost,closed_at_utc,pool_observed_hours";

    public static async Task WriteAsync(TextWriter writer, IReadOnlyList<SettlementView> rows, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(rows);
        await writer.WriteAsync((Header + "\n").AsMemory(), cancellationToken);
        foreach (SettlementView s in rows)
        {
            string line = string.Join(
                ',',
                CsvText.Field(s.ContractId),
                CsvText.Hour(s.PeriodStart),
                CsvText.Hour(s.PeriodEnd),
                CsvText.Number(s.TargetTerahashHours),
                CsvText.Number(s.DeliveredTerahashHours),
                s.PoolTerahashHours is { } p ? CsvText.Number(p) : string.Empty,
                CsvText.Number(s.ShortfallTerahashHours),
                CsvText.Number(s.ToleratedTerahashHours),
                CsvText.Field(s.MakeGood),
                CsvText.Number(s.MakeGoodTerahashHours),
                CsvText.Number(s.ExtraHours),
                s.Credit.ToString(CultureInfo.InvariantCulture),
                CsvText.Number(s.EnergyKilowattHours),
                s.MaintenanceFee.ToString(CultureInfo.InvariantCulture),
                s.ElectricityCost.ToString(CultureInfo.InvariantCulture),
                CsvText.Hour(s.ClosedAt),
                s.PoolObservedHours is { } watched ? CsvText.Number(watched) : string.Empty);
            await writer.WriteAsync((line + "\n").AsMemory(), cancellationToken);
        }

        await writer.FlushAsync(cancellationToken);
    }
}
