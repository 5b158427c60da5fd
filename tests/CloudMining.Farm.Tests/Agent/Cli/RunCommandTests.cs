using CloudMining.Farm.Agent.Cli;
using CloudMining.Farm.Tests.Infrastructure;
using Xunit;

namespace CloudMining.Farm.Tests.Agent.Cli;

public sealed class RunCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("farm-agent-run-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string json)
    {
        string path = Path.Combine(_dir, "agent.json");
        File.WriteAllText(path, json);
        return path;
    }

    private static async Task<(int Code, string Error)> RunAsync(string configPath)
    {
        using var error = new StringWriter();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var logs = new InMemoryLoggerProvider();
        int code = await RunCommand.RunAsync(configPath, error, cts.Token, new CloudMining.Farm.Agent.Hosting.AgentHost.Overrides { ConsoleLog = false, ExtraLogger = logs });

        // A config problem is the message on stderr alone: nothing logged with a stack trace ("Hosting failed to start").
        Assert.DoesNotContain(logs.Records, r => r.Exception is not null || r.Level >= Microsoft.Extensions.Logging.LogLevel.Error);
        return (code, error.ToString());
    }

    [Fact]
    public async Task Bad_miner_address_stops_the_agent_with_the_key_and_no_stack_trace()
    {
        string path = Write($$"""
            { "Agent": { "RackId": "A-07", "StateDirectory": "state", "Log": { "Directory": "" },
              "Miners": [ { "Id": "m1", "Address": "10.0.0.30" }, { "Id": "m2", "Address": "10.0.0.300" } ] } }
            """);
        (int code, string error) = await RunAsync(path);
        Assert.Equal(RunCommand.ConfigErrorExitCode, code);
        Assert.Contains("Agent:Miners:1:Address: '10.0.0.300' is not an IPv4/IPv6 address or host name; write the miner's API address, e.g. 10.0.0.30", error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Wrongly_typed_value_names_the_key_and_the_format()
    {
        string path = Write("""
            { "Agent": { "RackId": "A-07", "PollInterval": "ten seconds", "Log": { "Directory": "" },
              "Miners": [ { "Id": "m1", "Address": "10.0.0.30" } ] } }
            """);
        (int code, string error) = await RunAsync(path);
        Assert.Equal(RunCommand.ConfigErrorExitCode, code);
        Assert.Contains("Agent:PollInterval", error, StringComparison.Ordinal);
        Assert.Contains("\"00:00:10\"", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Broken_json_reports_line_of_the_file()
    {
        string path = Write("{ \"Agent\": {\n  \"RackId\": \"A-07\",\n  \"Miners\": [ }\n}");
        (int code, string error) = await RunAsync(path);
        Assert.Equal(RunCommand.ConfigErrorExitCode, code);
        Assert.Contains("not valid JSON at line 3", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_config_file_says_which_path_and_how_to_pass_another()
    {
        (int code, string error) = await RunAsync(Path.Combine(_dir, "nope.json"));
        Assert.Equal(RunCommand.ConfigErrorExitCode, code);
        Assert.Contains("nope.json' does not exist", error, StringComparison.Ordinal);
        Assert.Contains("--config", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_firmware_profile_names_the_key_and_lists_the_known_ones()
    {
        string path = Write($$"""
            { "Agent": { "RackId": "A-07", "Log": { "Directory": "" }, "ProfilesDirectory": {{System.Text.Json.JsonSerializer.Serialize(RepoPaths.FirmwareProfiles)}},
              "Miners": [ { "Id": "m1", "Address": "10.0.0.30", "Profile": "antminr" } ] } }
            """);
        (int code, string error) = await RunAsync(path);
        Assert.Equal(RunCommand.ConfigErrorExitCode, code);
        Assert.Contains("Agent:Miners:0:Profile: no firmware profile 'antminr'", error, StringComparison.Ordinal);
        Assert.Contains("antminer", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Log_folder_that_cannot_be_created_is_a_config_error_naming_the_key()
    {
        // A regular file where a folder is expected fails for root too, unlike permissions.
        string blocker = Path.Combine(_dir, "not-a-folder");
        await File.WriteAllTextAsync(blocker, "x");
        string path = Write($$"""
            { "Agent": { "RackId": "A-07", "StateDirectory": "state", "Log": { "Directory": "not-a-folder/logs" },
              "Miners": [ { "Id": "m1", "Address": "10.0.0.30" } ] } }
            """);
        (int code, string error) = await RunAsync(path);
        Assert.Equal(RunCommand.ConfigErrorExitCode, code);
        Assert.Contains("Agent:Log:Directory: cannot create", error, StringComparison.Ordinal);
    }
}
