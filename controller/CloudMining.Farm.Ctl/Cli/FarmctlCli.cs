using System.CommandLine;
using CloudMining.Farm.Ctl.Client;

namespace CloudMining.Farm.Ctl.Cli;

/// <summary>farmctl's command tree, built over a console so tests can run it in process and read what it printed.</summary>
public static class FarmctlCli
{
    public static RootCommand Create(CtlGlobals g)
    {
        ArgumentNullException.ThrowIfNull(g);
        var root = new RootCommand(
            "farmctl: the operator's view of farm-controller through its local API — fleet, capacity, contracts, allocation, rebalance, maintenance drain, ledger, curtailment. " +
            "Exit codes: 0 done, 1 the controller refused (the reason is printed), 2 usage error, controller unreachable or its API token unreadable.")
        {
            FleetCommands.Fleet(g),
            FleetCommands.Miner(g),
            FleetCommands.Capacity(g),
            ContractCommands.Create(g),
            AllocationCommands.Allocation(g),
            AllocationCommands.Rebalance(g),
            LedgerCommands.Create(g),
            CurtailCommands.Create(g),
            ProofCommands.Dashboard(g),
        };
        root.Options.Add(g.Api);
        root.Options.Add(g.TokenFile);
        root.Options.Add(g.Json);
        return root;
    }

    /// <summary>Parses and runs; a command line that does not parse is exit code 2 with the parser's reasons.</summary>
    public static async Task<int> InvokeAsync(string[] args, CtlConsole console, string? environmentApi, CancellationToken cancellationToken, string? environmentTokenFile = null)
    {
        ArgumentNullException.ThrowIfNull(console);
        var globals = new CtlGlobals(console, environmentApi, environmentTokenFile);
        ParseResult parse = Create(globals).Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (System.CommandLine.Parsing.ParseError error in parse.Errors)
            {
                await console.Error.WriteLineAsync($"farmctl: {error.Message}");
            }

            await console.Error.WriteLineAsync("Run `farmctl --help` (or `farmctl COMMAND --help`) for usage.");
            return ExitCodes.UsageOrConnection;
        }

        return await parse.InvokeAsync(new InvocationConfiguration { Output = console.Out, Error = console.Error }, cancellationToken);
    }

    /// <summary>The process entry: the real console, $FARMCTL_API and $FARMCTL_TOKEN_FILE.</summary>
    public static Task<int> RunAsync(string[] args) =>
        InvokeAsync(
            args,
            CtlConsole.System(),
            Environment.GetEnvironmentVariable(ControllerApiClient.ApiEnvironmentVariable),
            CancellationToken.None,
            Environment.GetEnvironmentVariable(ApiTokenFile.EnvironmentVariable));
}
