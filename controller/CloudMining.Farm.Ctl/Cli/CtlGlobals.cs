using System.CommandLine;
using CloudMining.Farm.ControlApi;
using CloudMining.Farm.Ctl.Client;
using CloudMining.Farm.Ctl.Rendering;

namespace CloudMining.Farm.Ctl.Cli;

/// <summary>The options every farmctl command takes (--api, --token-file, --json), where it writes, and the one place failures become exit codes.</summary>
public sealed class CtlGlobals
{
    public CtlGlobals(CtlConsole console, string? environmentApi, string? environmentTokenFile = null)
    {
        Console = console;
        EnvironmentApi = environmentApi;
        EnvironmentTokenFile = environmentTokenFile;
    }

    public Option<string?> Api { get; } = new("--api")
    {
        Description = $"The controller's local API (default: $FARMCTL_API, else {ControlApiDefaults.Url}).",
        Recursive = true,
    };

    public Option<string?> TokenFile { get; } = new("--token-file")
    {
        Description = $"The controller's API token file (default: ${ApiTokenFile.EnvironmentVariable}, else {ApiTokenFile.DefaultPath}); readable by the {ControlApiDefaults.OperatorsGroup} group.",
        Recursive = true,
    };

    public Option<bool> Json { get; } = new("--json")
    {
        Description = "Print the controller's JSON answer (pretty) instead of a table, for scripts.",
        Recursive = true,
    };

    public CtlConsole Console { get; }

    public string? EnvironmentApi { get; }

    public string? EnvironmentTokenFile { get; }

    /// <summary>Runs a command body against the controller: 0 on success, 1 when the controller refuses, 2 for usage or connection errors.</summary>
    public async Task<int> RunAsync(ParseResult parse, Func<ControllerApiClient, bool, Task> body, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(parse);
        ArgumentNullException.ThrowIfNull(body);
        bool json = parse.GetValue(Json);
        try
        {
            using var client = new ControllerApiClient(
                ApiAddress.Resolve(parse.GetValue(Api), EnvironmentApi),
                ApiTokenFile.Read(parse.GetValue(TokenFile), EnvironmentTokenFile));
            await body(client, json);
            return ExitCodes.Ok;
        }
        catch (CtlUsageException e)
        {
            await Console.Error.WriteLineAsync($"farmctl: {e.Message}");
            return ExitCodes.UsageOrConnection;
        }
        catch (ControllerTokenException e)
        {
            await Console.Error.WriteLineAsync($"farmctl: {e.Message}");
            return ExitCodes.UsageOrConnection;
        }
        catch (ControllerUnreachableException e)
        {
            await Console.Error.WriteLineAsync($"farmctl: {e.Message}");
            return ExitCodes.UsageOrConnection;
        }
        catch (ControllerProblemException e)
        {
            if (json)
            {
                await Console.Out.WriteLineAsync(SafePretty(e.RawJson));
            }

            string field = e.Problem.Field is { } f ? $" (field: {f})" : string.Empty;
            await Console.Error.WriteLineAsync($"farmctl: {e.Problem.Title} ({e.Problem.Status}){field}: {e.Problem.Detail}");
            return ExitCodes.Refused;
        }
    }

    /// <summary>Writes the raw JSON pretty-printed, for --json.</summary>
    public async Task WriteJsonAsync(string json) => await Console.Out.WriteLineAsync(JsonPretty.Format(json));

    private static string SafePretty(string json)
    {
        try
        {
            return JsonPretty.Format(json);
        }
        catch (System.Text.Json.JsonException)
        {
            return json;
        }
    }
}
