using System.CommandLine;
using CloudMining.Farm.Ctl.Rendering;

namespace CloudMining.Farm.Ctl.Cli;

/// <summary>`farmctl allocation show` and `farmctl rebalance --dry-run|--apply`.</summary>
public static class AllocationCommands
{
    public static Command Allocation(CtlGlobals g)
    {
        ArgumentNullException.ThrowIfNull(g);
        var show = new Command("show", "Per contract: target, allocated, delivered, status and miners; then the house pool.");
        show.SetAction((parse, ct) => g.RunAsync(parse, async (client, json) =>
        {
            var answer = await client.GetAllocationAsync(ct);
            if (json)
            {
                await g.WriteJsonAsync(answer.Json);
                return;
            }

            AllocationTable.Render(g.Console.Tables, answer.Value);
        }, ct));
        return new Command("allocation", "The current allocation of miners to contracts.") { show };
    }

    public static Command Rebalance(CtlGlobals g)
    {
        ArgumentNullException.ThrowIfNull(g);
        var dryRun = new Option<bool>("--dry-run") { Description = "Show which miners would move and why; change nothing." };
        var apply = new Option<bool>("--apply") { Description = "Plan and apply: store the new allocation and send it to the agents." };
        var command = new Command("rebalance", "Plan a rebalance from the current fleet: --dry-run shows the moves, --apply makes them.") { dryRun, apply };
        command.SetAction((parse, ct) => g.RunAsync(parse, async (client, json) =>
        {
            bool doApply = parse.GetValue(apply);
            if (doApply == parse.GetValue(dryRun))
            {
                throw new CtlUsageException("give exactly one of --dry-run (show the moves) or --apply (make them).");
            }

            var answer = await client.RebalanceAsync(doApply, ct);
            if (json)
            {
                await g.WriteJsonAsync(answer.Json);
                return;
            }

            RebalanceTable.Render(g.Console.Tables, answer.Value);
        }, ct));
        return command;
    }
}
