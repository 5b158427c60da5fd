using System.CommandLine;
using CloudMining.Farm.Ctl.Ledger;
using CloudMining.Farm.Ctl.Rendering;
using Spectre.Console;

namespace CloudMining.Farm.Ctl.Cli;

/// <summary>`farmctl contracts proof ID`, `farmctl contracts link ID` and `farmctl dashboard`: the proof and the read-only pages.</summary>
public static class ProofCommands
{
    public static Command Proof(CtlGlobals g)
    {
        ArgumentNullException.ThrowIfNull(g);
        var id = new Argument<string>("ID") { Description = "The contract id." };
        var days = new Option<int?>("--days") { Description = "How many days back from now (default 3); or give --from/--to." };
        var from = new Option<string?>("--from") { Description = "First hour, inclusive (ISO 8601, UTC)." };
        var to = new Option<string?>("--to") { Description = "End hour, exclusive (ISO 8601, UTC; default: the end of the current hour)." };
        var csv = new Option<bool>("--csv") { Description = $"Write CSV with the header {ProofCsv.Header}." };
        var command = new Command("proof", "Per hour: target, delivered (ours and the pool's), shortfall, the miners that served it and their shares, energy, fees; a plot; the settlements.")
        {
            id, days, from, to, csv,
        };
        command.SetAction((parse, ct) => g.RunAsync(parse, async (client, json) =>
        {
            if (json && parse.GetValue(csv))
            {
                throw new CtlUsageException("give --csv or --json, not both.");
            }

            DateTimeOffset? toAt = CtlDates.Parse(parse.GetValue(to), "--to");
            DateTimeOffset? fromAt = CtlDates.Parse(parse.GetValue(from), "--from");
            if (parse.GetValue(days) is { } d)
            {
                if (fromAt is not null)
                {
                    throw new CtlUsageException("give --days or --from, not both.");
                }

                if (d is < 1 or > 366)
                {
                    throw new CtlUsageException($"--days {d} is out of range; give 1 to 366.");
                }

                DateTimeOffset end = toAt ?? HourAfter(DateTimeOffset.UtcNow);
                (fromAt, toAt) = (end.AddDays(-d), end);
            }

            var answer = await client.GetContractProofAsync(parse.GetRequiredValue(id), fromAt, toAt, ct);
            if (json)
            {
                await g.WriteJsonAsync(answer.Json);
                return;
            }

            if (parse.GetValue(csv))
            {
                await ProofCsv.WriteAsync(g.Console.Out, answer.Value, ct);
                return;
            }

            ProofTables.Render(g.Console.Tables, answer.Value);
        }, ct));
        return command;
    }

    public static Command Link(CtlGlobals g)
    {
        ArgumentNullException.ThrowIfNull(g);
        var id = new Argument<string>("ID") { Description = "The contract id." };
        var command = new Command("link", "The read-only link to the contract's proof page, for the customer (no farmctl token in it).") { id };
        command.SetAction((parse, ct) => g.RunAsync(parse, async (client, json) =>
        {
            var answer = await client.GetContractLinkAsync(parse.GetRequiredValue(id), ct);
            if (json)
            {
                await g.WriteJsonAsync(answer.Json);
                return;
            }

            await g.Console.Out.WriteLineAsync(client.PageAddress(answer.Value.Path).ToString());
        }, ct));
        return command;
    }

    public static Command Dashboard(CtlGlobals g)
    {
        ArgumentNullException.ThrowIfNull(g);
        var command = new Command("dashboard", "The link to the operator dashboard (racks × miners, capacity, contracts, lagging agents); open it in a browser on this machine.");
        command.SetAction((parse, ct) => g.RunAsync(parse, async (client, json) =>
        {
            var answer = await client.GetDashboardLinkAsync(ct);
            if (json)
            {
                await g.WriteJsonAsync(answer.Json);
                return;
            }

            await g.Console.Out.WriteLineAsync(client.PageAddress(answer.Value.Path).ToString());
        }, ct));
        return command;
    }

    private static DateTimeOffset HourAfter(DateTimeOffset t) => new DateTimeOffset(t.UtcDateTime.Year, t.UtcDateTime.Month, t.UtcDateTime.Day, t.UtcDateTime.Hour, 0, 0, TimeSpan.Zero).AddHours(1);
}
