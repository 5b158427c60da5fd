using System.CommandLine;
using CloudMining.Farm.Ctl.Rendering;

namespace CloudMining.Farm.Ctl.Cli;

/// <summary>`farmctl fleet`, `farmctl capacity` and `farmctl miner show|drain|undrain`.</summary>
public static class FleetCommands
{
    public static Command Fleet(CtlGlobals g)
    {
        ArgumentNullException.ThrowIfNull(g);
        var command = new Command("fleet", "The racks: agent online, miners hashing, TH/s, desired vs applied pool-state generation, lagging agents.");
        command.SetAction((parse, ct) => g.RunAsync(parse, async (client, json) =>
        {
            var answer = await client.GetFleetAsync(ct);
            if (json)
            {
                await g.WriteJsonAsync(answer.Json);
                return;
            }

            FleetTable.Render(g.Console.Tables, answer.Value);
        }, ct));
        return command;
    }

    public static Command Capacity(CtlGlobals g)
    {
        ArgumentNullException.ThrowIfNull(g);
        var command = new Command("capacity", "What the farm can sell: measured healthy hashrate minus the reserve, in units total / sold / free.");
        command.SetAction((parse, ct) => g.RunAsync(parse, async (client, json) =>
        {
            var answer = await client.GetCapacityAsync(ct);
            if (json)
            {
                await g.WriteJsonAsync(answer.Json);
                return;
            }

            CapacityPanel.Render(g.Console.Tables, answer.Value);
        }, ct));
        return command;
    }

    public static Command Miner(CtlGlobals g)
    {
        ArgumentNullException.ThrowIfNull(g);
        return new Command("miner", "One miner: show it, or drain it for maintenance (its contract is covered elsewhere first) and put it back.")
        {
            MinerAction(g, "show", "Show a miner's readings, maintenance flag and the contracts it mines for.", (client, id, ct) => client.GetMinerAsync(id, ct)),
            MinerAction(g, "drain", "Take a miner out of allocation for maintenance; its contract moves to other miners.", (client, id, ct) => client.SetDrainedAsync(id, drained: true, ct)),
            MinerAction(g, "undrain", "Put a drained miner back into allocation.", (client, id, ct) => client.SetDrainedAsync(id, drained: false, ct)),
        };
    }

    private static Command MinerAction(
        CtlGlobals g,
        string name,
        string description,
        Func<Client.ControllerApiClient, string, CancellationToken, Task<Client.ApiResponse<ControlApi.MinerView>>> call)
    {
        var id = new Argument<string>("ID") { Description = "The miner id, as `farmctl fleet --json` lists it." };
        var command = new Command(name, description) { id };
        command.SetAction((parse, ct) => g.RunAsync(parse, async (client, json) =>
        {
            var answer = await call(client, parse.GetRequiredValue(id), ct);
            if (json)
            {
                await g.WriteJsonAsync(answer.Json);
                return;
            }

            MinerDetail.Render(g.Console.Tables, answer.Value);
        }, ct));
        return command;
    }
}
