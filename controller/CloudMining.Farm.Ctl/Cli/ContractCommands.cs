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
        var poolApi = new Option<string?>("--pool-api") { Description = "Check delivery on the pool's side too: the pool's API, braiins, f2pool or hashrate-only (docs/pool-apis.md)." };
        var poolApiUrl = new Option<string?>("--pool-api-url") { Description = "The pool API's base URL, e.g. https://pool.braiins.com/ (with --pool-api)." };
        var poolApiKeyFile = new Option<string?>("--pool-api-key-file") { Description = "A file holding the customer's read-only pool API key (kept like a password; never on the command line)." };
        var poolApiAccount = new Option<string?>("--pool-api-account") { Description = "The pool account, when it is not the worker name's part before the first dot." };
        var tolerance = new Option<double?>("--tolerance-percent") { Description = "Settlement: shortfall per period that is not made good, percent of the target (default: the controller's)." };
        var makeGood = new Option<string?>("--make-good") { Description = "Settlement: how shortfall beyond the tolerance is made good, extra-hours or credit." };
        var credit = new Option<decimal?>("--credit-per-thh") { Description = "Settlement: credit per missing TH·h, with --make-good credit." };
        var command = new Command("add", "Sell a contract: validated, refused beyond free capacity, allocated at once.")
        {
            id, customer, hashrate, poolUrl, worker, start, end, openEnded, negativeDays, fee, electricity, curtailHours, curtailPeriod,
            poolApi, poolApiUrl, poolApiKeyFile, poolApiAccount, tolerance, makeGood, credit,
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
                period,
                PoolWatchFrom(parse.GetValue(poolApi), parse.GetValue(poolApiUrl), parse.GetValue(poolApiKeyFile), parse.GetValue(poolApiAccount)),
                SettlementFrom(parse.GetValue(tolerance), parse.GetValue(makeGood), parse.GetValue(credit)));
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

    private static PoolWatchRequest? PoolWatchFrom(string? kind, string? url, string? keyFile, string? account)
    {
        if (kind is null)
        {
            return url is null && keyFile is null && account is null
                ? null
                : throw new CtlUsageException("--pool-api-url, --pool-api-key-file and --pool-api-account go with --pool-api braiins|f2pool|hashrate-only.");
        }

        if (url is null || keyFile is null)
        {
            throw new CtlUsageException("--pool-api needs --pool-api-url URL and --pool-api-key-file FILE (the customer's read-only key).");
        }

        string path = Path.GetFullPath(keyFile);
        string key;
        try
        {
            key = File.ReadAllText(path).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CtlUsageException($"cannot read the pool API key file {path}: {e.Message}");
        }

        return key.Length == 0 ? throw new CtlUsageException($"the pool API key file {path} is empty; put the customer's read-only key in it.") : new PoolWatchRequest(kind, url, key, account);
    }

    private static SettlementTermsRequest? SettlementFrom(double? tolerance, string? makeGood, decimal? credit)
    {
        if (tolerance is null && makeGood is null && credit is null)
        {
            return null;
        }

        if (tolerance is null || makeGood is null)
        {
            throw new CtlUsageException("settlement terms need both --tolerance-percent P and --make-good extra-hours|credit (leave all out for the controller's defaults).");
        }

        return new SettlementTermsRequest(tolerance.Value, makeGood, credit);
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
