using System.CommandLine;
using CloudMining.Farm.ControlApi;
using CloudMining.Farm.Ctl.Rendering;
using Spectre.Console;

namespace CloudMining.Farm.Ctl.Cli;

/// <summary>`farmctl contracts add|list|show|end|proof|link`.</summary>
public static class ContractCommands
{
    public static Command Create(CtlGlobals g)
    {
        ArgumentNullException.ThrowIfNull(g);
        return new Command("contracts", "Sell, list, inspect and end hashrate contracts.")
        {
            Add(g), List(g), Show(g), End(g), ProofCommands.Proof(g), ProofCommands.Link(g),
        };
    }

    private static Command Add(CtlGlobals g)
    {
        var id = new Option<string>("--id") { Description = "Contract id: letters, digits, '.', '_', '-' (at most 64).", Required = true };
        var customer = new Option<string>("--customer") { Description = "The customer account the contract belongs to.", Required = true };
        var hashrate = new Option<string>("--hashrate") { Description = "Hashrate sold, e.g. \"100 TH/s\"; refused beyond free capacity.", Required = true };
        var poolUrl = new Option<string>("--pool-url") { Description = "The customer's own pool, e.g. stratum+tcp://pool.example.com:3333.", Required = true };
        var worker = new Option<string>("--worker") { Description = "The customer's worker name at that pool, e.g. alice.rig1.", Required = true };
        var start = new Option<string?>("--start") { Description = "Start (ISO 8601, UTC); default now." };
        var end = new Option<string?>("--end") { Description = "End of a fixed-term contract (ISO 8601 date, UTC)." };
        var openEnded = new Option<bool>("--open-ended") { Description = "No end date: terminates after --negative-margin-days days of negative margin." };
        var negativeDays = new Option<int?>("--negative-margin-days") { Description = "Days of negative margin after which an open-ended contract ends (1-365)." };
        var fee = new Option<decimal>("--maintenance-fee") { Description = "Maintenance fee per TH/s per day, in the settlement currency (default 0)." };
        var electricity = new Option<bool>("--electricity-at-cost") { Description = "Bill the measured energy of the contract's miners at cost." };
        var curtailHours = new Option<double?>("--curtail-allowance-hours") { Description = "Make the contract curtailable for up to this many hours per --curtail-period; without it the contract is protected (never curtailed)." };
        var curtailPeriod = new Option<string?>("--curtail-period") { Description = "The period the curtailment allowance renews over: day, week or month (default month)." };
        var command = new Command("add", "Sell a contract: validated, refused beyond free capacity, allocated at once.")
        {
            id, customer, hashrate, poolUrl, worker, start, end, openEnded, negativeDays, fee, electricity, curtailHours, curtailPeriod,
        };
        command.SetAction((parse, ct) => g.RunAsync(parse, async (client, json) =>
        {
            string? endText = parse.GetValue(end);
            bool open = parse.GetValue(openEnded);
            int? days = parse.GetValue(negativeDays);
            if (open == !string.IsNullOrWhiteSpace(endText))
            {
                throw new CtlUsageException(open
                    ? "give either --end DATE (fixed term) or --open-ended, not both."
                    : "give --end DATE for a fixed-term contract, or --open-ended --negative-margin-days N.");
            }

            if (open && days is null)
            {
                throw new CtlUsageException("--open-ended needs --negative-margin-days N: the days of negative margin after which the contract ends.");
            }

            if (!open && days is not null)
            {
                throw new CtlUsageException("--negative-margin-days only applies to --open-ended contracts.");
            }

            double? allowance = parse.GetValue(curtailHours);
            string? period = parse.GetValue(curtailPeriod);
            if (period is not null && allowance is null)
            {
                throw new CtlUsageException("--curtail-period needs --curtail-allowance-hours N: the hours per period the contract may be curtailed.");
            }

            var request = new NewContractRequest(
                parse.GetRequiredValue(id),
                parse.GetRequiredValue(customer),
                parse.GetRequiredValue(hashrate),
                parse.GetRequiredValue(poolUrl),
                parse.GetRequiredValue(worker),
                CtlDates.Parse(parse.GetValue(start), "--start"),
                CtlDates.Parse(endText, "--end"),
                days,
                parse.GetValue(fee),
                parse.GetValue(electricity),
                allowance,
                period);
            var answer = await client.AddContractAsync(request, ct);
            if (json)
            {
                await g.WriteJsonAsync(answer.Json);
                return;
            }

            g.Console.Tables.MarkupLine($"Contract [bold]{Markup.Escape(answer.Value.Id)}[/] sold: {Markup.Escape(Figures.Rate(answer.Value.TargetHs))} to {Markup.Escape(answer.Value.PoolUrl)} ({Markup.Escape(answer.Value.Worker)}).");
            ContractTables.RenderDetail(g.Console.Tables, answer.Value);
        }, ct));
        return command;
    }

    private static Command List(CtlGlobals g)
    {
        var command = new Command("list", "Every contract with target, allocated and delivered hashrate.");
        command.SetAction((parse, ct) => g.RunAsync(parse, async (client, json) =>
        {
            var answer = await client.GetContractsAsync(ct);
            if (json)
            {
                await g.WriteJsonAsync(answer.Json);
                return;
            }

            ContractTables.RenderList(g.Console.Tables, answer.Value);
        }, ct));
        return command;
    }

    private static Command Show(CtlGlobals g)
    {
        var id = new Argument<string>("ID") { Description = "The contract id." };
        var command = new Command("show", "One contract: its miners and shares, and delivered vs target.") { id };
        command.SetAction((parse, ct) => g.RunAsync(parse, async (client, json) =>
        {
            var answer = await client.GetContractAsync(parse.GetRequiredValue(id), ct);
            if (json)
            {
                await g.WriteJsonAsync(answer.Json);
                return;
            }

            ContractTables.RenderDetail(g.Console.Tables, answer.Value);
        }, ct));
        return command;
    }

    private static Command End(CtlGlobals g)
    {
        var id = new Argument<string>("ID") { Description = "The contract id." };
        var command = new Command("end", "End a contract now: its miners go back to the house pool; its ledger stays.") { id };
        command.SetAction((parse, ct) => g.RunAsync(parse, async (client, json) =>
        {
            var answer = await client.EndContractAsync(parse.GetRequiredValue(id), ct);
            if (json)
            {
                await g.WriteJsonAsync(answer.Json);
                return;
            }

            g.Console.Tables.MarkupLine($"Contract [bold]{Markup.Escape(answer.Value.Id)}[/] ended ({ContractTables.Status(answer.Value.Status)}); its miners go back to the house pool. Its ledger stays: `farmctl ledger export --contract {Markup.Escape(answer.Value.Id)} --csv`.");
        }, ct));
        return command;
    }
}
