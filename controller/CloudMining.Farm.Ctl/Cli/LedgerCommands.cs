using System.CommandLine;
using System.Globalization;
using System.Text;
using CloudMining.Farm.ControlApi;
using CloudMining.Farm.Ctl.Ledger;
using CloudMining.Farm.Ctl.Rendering;
using Spectre.Console;

namespace CloudMining.Farm.Ctl.Cli;

/// <summary>`farmctl ledger export`: the hourly ledger as a table, JSON or CSV.</summary>
public static class LedgerCommands
{
    public static Command Create(CtlGlobals g)
    {
        ArgumentNullException.ThrowIfNull(g);
        var contract = new Option<string?>("--contract") { Description = "Only this contract (default: all)." };
        var from = new Option<string?>("--from") { Description = "First hour, inclusive (ISO 8601, UTC; default: the beginning)." };
        var to = new Option<string?>("--to") { Description = "End hour, exclusive (ISO 8601, UTC; default: now)." };
        var csv = new Option<bool>("--csv") { Description = $"Write CSV with the header {LedgerCsv.Header}." };
        var output = new Option<string?>("--output", "-o") { Description = "Write to this file instead of standard output." };
        var settlements = new Option<bool>("--settlements") { Description = $"Export the closed settlement periods instead of the hours (CSV header {SettlementCsv.Header}); --from/--to select by period start." };
        var export = new Command("export", "Hourly ledger rows per contract: target and delivered TH·h, shortfall, energy, fees; or, with --settlements, the settled periods.") { contract, from, to, csv, output, settlements };
        export.SetAction((parse, ct) => g.RunAsync(parse, async (client, json) =>
        {
            if (json && parse.GetValue(csv))
            {
                throw new CtlUsageException("give --csv or --json, not both.");
            }

            if (parse.GetValue(settlements))
            {
                await ExportSettlementsAsync(g, client, parse.GetValue(contract), CtlDates.Parse(parse.GetValue(from), "--from"), CtlDates.Parse(parse.GetValue(to), "--to"), json, parse.GetValue(csv), parse.GetValue(output), ct);
                return;
            }

            var answer = await client.GetLedgerAsync(parse.GetValue(contract), CtlDates.Parse(parse.GetValue(from), "--from"), CtlDates.Parse(parse.GetValue(to), "--to"), ct);
            string? file = parse.GetValue(output);
            if (json || parse.GetValue(csv))
            {
                await WriteAsync(g, file, answer.Value.Count, async writer =>
                {
                    if (json)
                    {
                        await writer.WriteLineAsync(JsonPretty.Format(answer.Json));
                    }
                    else
                    {
                        await LedgerCsv.WriteAsync(writer, answer.Value, ct);
                    }
                });
                return;
            }

            if (file is not null)
            {
                throw new CtlUsageException("--output writes a file; add --csv (or --json) to say which format.");
            }

            Render(g.Console.Tables, answer.Value);
        }, ct));
        return new Command("ledger", "The hourly ledger of every contract.") { export };
    }

    private static async Task ExportSettlementsAsync(CtlGlobals g, Client.ControllerApiClient client, string? contract, DateTimeOffset? from, DateTimeOffset? to, bool json, bool csv, string? file, CancellationToken ct)
    {
        var answer = await client.GetSettlementsAsync(contract, from, to, ct);
        if (json || csv)
        {
            await WriteAsync(g, file, answer.Value.Count, async writer =>
            {
                if (json)
                {
                    await writer.WriteLineAsync(JsonPretty.Format(answer.Json));
                }
                else
                {
                    await SettlementCsv.WriteAsync(writer, answer.Value, ct);
                }
            }, "settlement");
            return;
        }

        if (file is not null)
        {
            throw new CtlUsageException("--output writes a file; add --csv (or --json) to say which format.");
        }

        ProofTables.RenderSettlements(g.Console.Tables, answer.Value);
    }

    private static async Task WriteAsync(CtlGlobals g, string? file, int rows, Func<TextWriter, Task> write, string what = "ledger")
    {
        if (file is null)
        {
            await write(g.Console.Out);
            return;
        }

        string path = Path.GetFullPath(file);
        try
        {
            await using var writer = new StreamWriter(path, append: false, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
            await write(writer);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CtlUsageException($"cannot write {path}: {e.Message}");
        }

        await g.Console.Error.WriteLineAsync($"farmctl: wrote {rows} {what} row(s) to {path}");
    }

    private static void Render(IAnsiConsole console, IReadOnlyList<LedgerEntry> rows)
    {
        if (rows.Count == 0)
        {
            console.MarkupLine("No ledger rows in that range (the controller writes one per contract per hour).");
            return;
        }

        var table = new Table().Border(TableBorder.Rounded).AddColumns("Contract", "Hour (UTC)", "Target TH·h", "Delivered TH·h", "Shortfall TH·h", "Energy kWh", "Maintenance", "Electricity");
        foreach (LedgerEntry e in rows)
        {
            table.AddRow(
                Markup.Escape(e.ContractId),
                Figures.Time(e.Hour),
                e.TargetTerahashHours.ToString("F2", CultureInfo.InvariantCulture),
                e.DeliveredTerahashHours.ToString("F2", CultureInfo.InvariantCulture),
                e.ShortfallTerahashHours.ToString("F2", CultureInfo.InvariantCulture),
                e.EnergyKilowattHours.ToString("F2", CultureInfo.InvariantCulture),
                e.MaintenanceFee.ToString("0.00##", CultureInfo.InvariantCulture),
                e.ElectricityCost.ToString("0.00##", CultureInfo.InvariantCulture));
        }

        console.Write(table);
    }
}
