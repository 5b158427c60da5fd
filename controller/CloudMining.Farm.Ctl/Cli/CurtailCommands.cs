using System.CommandLine;
using CloudMining.Farm.ControlApi;
using CloudMining.Farm.Ctl.Rendering;

namespace CloudMining.Farm.Ctl.Cli;

/// <summary>`farmctl curtail status|plan|apply|end`.</summary>
public static class CurtailCommands
{
    public static Command Create(CtlGlobals g)
    {
        ArgumentNullException.ThrowIfNull(g);
        return new Command("curtail", "Contract-aware curtailment: the house first, least efficient first, power targets before sleep, protected contracts never.")
        {
            Status(g), Plan(g), Apply(g), End(g),
        };
    }

    private static Command Status(CtlGlobals g)
    {
        var command = new Command("status", "The signals in force (price, demand response), the strike gate, and what the site would curtail now.");
        command.SetAction((parse, ct) => g.RunAsync(parse, async (client, json) =>
        {
            var answer = await client.GetCurtailmentAsync(ct);
            if (json)
            {
                await g.WriteJsonAsync(answer.Json);
                return;
            }

            CurtailmentTable.RenderStatus(g.Console.Tables, answer.Value);
        }, ct));
        return command;
    }

    private static Command Plan(CtlGlobals g)
    {
        (Option<decimal?> price, Option<decimal?> strike, Option<double?> reduceKw, Option<int?> minutes) = SignalOptions();
        var command = new Command("plan", "Dry run: which miners would lower their power or sleep, and why. Changes nothing.") { price, strike, reduceKw, minutes };
        command.SetAction((parse, ct) => g.RunAsync(parse, async (client, json) =>
        {
            var answer = await client.PlanCurtailmentAsync(Request(parse, price, strike, reduceKw, minutes), ct);
            if (json)
            {
                await g.WriteJsonAsync(answer.Json);
                return;
            }

            CurtailmentTable.RenderPlan(g.Console.Tables, answer.Value);
        }, ct));
        return command;
    }

    private static Command Apply(CtlGlobals g)
    {
        (Option<decimal?> price, Option<decimal?> strike, Option<double?> reduceKw, Option<int?> minutes) = SignalOptions();
        var command = new Command("apply", "Record an operator signal (a price, or a reduction in kW for a duration) and show the plan it gives.") { price, strike, reduceKw, minutes };
        command.SetAction((parse, ct) => g.RunAsync(parse, async (client, json) =>
        {
            CurtailmentRequest request = Request(parse, price, strike, reduceKw, minutes);
            if (request.Price is null && request.ReduceKw is null)
            {
                throw new CtlUsageException("give --price P (per MWh, judged against the strike) or --reduce-kw X (demand response).");
            }

            var answer = await client.ApplyCurtailmentAsync(request, ct);
            if (json)
            {
                await g.WriteJsonAsync(answer.Json);
                return;
            }

            CurtailmentTable.RenderPlan(g.Console.Tables, answer.Value);
        }, ct));
        return command;
    }

    private static Command End(CtlGlobals g)
    {
        var command = new Command("end", "End the operator's curtailment signals; shows the staggered restore of what they curtailed.");
        command.SetAction((parse, ct) => g.RunAsync(parse, async (client, json) =>
        {
            var answer = await client.EndCurtailmentAsync(ct);
            if (json)
            {
                await g.WriteJsonAsync(answer.Json);
                return;
            }

            CurtailmentTable.RenderEnd(g.Console.Tables, answer.Value);
        }, ct));
        return command;
    }

    private static (Option<decimal?> Price, Option<decimal?> Strike, Option<double?> ReduceKw, Option<int?> Minutes) SignalOptions() =>
    (
        new Option<decimal?>("--price") { Description = "Energy price per MWh, judged against the site's strike price." },
        new Option<decimal?>("--strike") { Description = "Strike price per MWh for this request, instead of the configured one." },
        new Option<double?>("--reduce-kw") { Description = "Demand response: reduce the site's measured power by this many kW." },
        new Option<int?>("--minutes") { Description = "How long the reduction lasts, in minutes (default 60); checked against curtailable contracts' allowance." }
    );

    private static CurtailmentRequest Request(ParseResult parse, Option<decimal?> price, Option<decimal?> strike, Option<double?> reduceKw, Option<int?> minutes)
    {
        var request = new CurtailmentRequest(parse.GetValue(price), parse.GetValue(strike), parse.GetValue(reduceKw), parse.GetValue(minutes));
        if (request.Price is not null && request.ReduceKw is not null)
        {
            throw new CtlUsageException("give --price or --reduce-kw, not both: a plan follows one signal.");
        }

        if (request.DurationMinutes is not null && request.ReduceKw is null)
        {
            throw new CtlUsageException("--minutes applies to --reduce-kw (how long the reduction lasts).");
        }

        return request;
    }
}
