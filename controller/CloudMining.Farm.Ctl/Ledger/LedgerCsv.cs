using System.Globalization;
using CloudMining.Farm.ControlApi;

namespace CloudMining.Farm.Ctl.Ledger;

/// <summary>
/// The ledger as CSV for accounting: one row per contract-hour, invariant culture (a '.' decimal point whatever the
/// machine's locale), hours as ISO 8601 UTC. The header is part of the documented interface (docs/controller-api.md).
/// </summary>
public static class LedgerCsv
{
    public const string Header = "contract_id,hour_utc,target_th_h,delivered_th_h,shortfall_th_h,energy_kwh,maintenance_fee,electricity_cost";

    public static async Task WriteAsync(TextWriter writer, IReadOnlyList<LedgerEntry> rows, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(rows);
        await writer.WriteAsync(Header.AsMemory(), cancellationToken);
        await writer.WriteAsync("\n".AsMemory(), cancellationToken);
        foreach (LedgerEntry e in rows)
        {
            string line = string.Join(
                ',',
                Field(e.ContractId),
                e.Hour.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
                Number(e.TargetTerahashHours),
                Number(e.DeliveredTerahashHours),
                Number(e.ShortfallTerahashHours),
                Number(e.EnergyKilowattHours),
                e.MaintenanceFee.ToString(CultureInfo.InvariantCulture),
                e.ElectricityCost.ToString(CultureInfo.InvariantCulture));
            await writer.WriteAsync((line + "\n").AsMemory(), cancellationToken);
        }

        await writer.FlushAsync(cancellationToken);
    }

    // "R" keeps every digit the controller computed; the accountant rounds, not us.
    private static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>RFC 4180 quoting, for a field that could ever hold a comma, quote or line break.</summary>
    private static string Field(string text) =>
        text.AsSpan().IndexOfAny(",\"\r\n") < 0 ? text : "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
