using System.Net;
using CloudMining.Farm.Tests.Controller.Api;
using CloudMining.Farm.Tests.Infrastructure;
using Xunit;

namespace CloudMining.Farm.Tests.Controller.Cli;

/// <summary>`farm-controller run` as a real process: a config it cannot use exits 78 with the key and the fix; SIGTERM exits 0.</summary>
[Trait("Category", "Integration")]
public sealed class ControllerRunCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ctl-run-cmd-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string json)
    {
        string path = Path.Combine(_dir, "controller.json");
        File.WriteAllText(path, json);
        return path;
    }

    private async Task<(int Code, string Output)> RunToExitAsync(string config)
    {
        using var process = ProgramProcess.Start("farm-controller", _dir, "run", "--config", config);
        int code = await process.WaitForExitAsync(TimeSpan.FromSeconds(60));
        return (code, process.Output);
    }

    // The controller is up once its local API answers; a process that exits first fails with its output.
    private static async Task AssertApiAnswersAsync(ProgramProcess process, HttpClient http) =>
        Assert.True(
            await Eventually.TrueAsync(
                async () =>
                {
                    Assert.False(process.HasExited, "farm-controller exited: " + process.Output);
                    try
                    {
                        using HttpResponseMessage response = await http.GetAsync(new Uri("/v1/capacity", UriKind.Relative));
                        return response.StatusCode == HttpStatusCode.OK;
                    }
                    catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                    {
                        return false;
                    }
                },
                TimeSpan.FromSeconds(60),
                TimeSpan.FromMilliseconds(200)),
            "the local API never answered: " + process.Output);

    private static void AssertNoStackTrace(string output)
    {
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invalid_json_exits_78_with_the_line_and_no_stack_trace()
    {
        string config = Write("""
            {
              "Controller": {
                "Site": "s1",
                "Database": "c.db"
                "Mqtt": { "Host": "127.0.0.1" }
              }
            }
            """);
        (int code, string output) = await RunToExitAsync(config);
        Assert.True(code == 78, $"exit {code}: {output}");
        Assert.Contains($"{config} is not valid JSON at line 5", output, StringComparison.Ordinal);
        Assert.Contains("Fix the file and start again", output, StringComparison.Ordinal);
        AssertNoStackTrace(output);
        Assert.False(File.Exists(Path.Combine(_dir, "c.db")), "nothing is created before the configuration is valid");
    }

    [Fact]
    public async Task Missing_site_exits_78_naming_Controller_Site_instead_of_guessing_one()
    {
        (int code, string output) = await RunToExitAsync(Write("""{ "Controller": { "Database": "c.db" } }"""));
        Assert.True(code == 78, $"exit {code}: {output}");
        Assert.Contains("Controller:Site: is missing; set it to the site id the agents publish under", output, StringComparison.Ordinal);
        AssertNoStackTrace(output);
    }

    [Fact]
    public async Task Bad_value_exits_78_naming_the_key_and_what_to_write()
    {
        (int code, string output) = await RunToExitAsync(Write("""{ "Controller": { "Site": "s1", "Mqtt": { "Port": "eighteen-eighty-three" } } }"""));
        Assert.True(code == 78, $"exit {code}: {output}");
        Assert.Contains("Controller:Mqtt:Port: 'eighteen-eighty-three' cannot be read; write a whole number.", output, StringComparison.Ordinal);
        AssertNoStackTrace(output);

        (code, output) = await RunToExitAsync(Write("""{ "Controller": { "Site": "s1", "RackHistoryIntervalS": 0 } }"""));
        Assert.True(code == 78, $"exit {code}: {output}");
        Assert.Contains("Controller:RackHistoryIntervalS: 0 is outside 1 second to 1 day", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_protocol_version_the_controller_does_not_speak_exits_78_naming_the_key()
    {
        (int code, string output) = await RunToExitAsync(Write("""{ "Controller": { "Site": "s1", "Database": "c.db", "Mqtt": { "ProtocolVersion": "3.1" } } }"""));
        Assert.True(code == 78, $"exit {code}: {output}");
        Assert.Contains("Controller:Mqtt:ProtocolVersion: '3.1' is not a protocol version the controller speaks", output, StringComparison.Ordinal);
        AssertNoStackTrace(output);
        Assert.False(File.Exists(Path.Combine(_dir, "c.db")), "nothing is created before the configuration is valid");
    }

    [Fact]
    public async Task A_broken_config_exits_78_naming_every_bad_key_of_every_feature_before_creating_anything()
    {
        string config = Write("""
            {
              "Controller": {
                "Site": "s1", "Database": "c.db",
                "RackHistoryInterval": "00:00:20", "RackHistoryIntervalS": 20,
                "Mqtt": { "Port": 0 },
                "Api": { "Url": "http://0.0.0.0:8080" },
                "Engine": { "TickInterval": "00:00:05", "IntervalS": 5, "Readings": { "MaxPowerW": 0 } }
              },
              "Influx": { "Enabled": true, "Url": "http://127.0.0.1:8086", "Write": { "BatchSize": 0 } }
            }
            """);
        (int code, string output) = await RunToExitAsync(config);
        Assert.True(code == 78, $"exit {code}: {output}");
        foreach (string key in new[]
        {
            "Controller:Mqtt:Port: ", "Controller:Engine:IntervalS: is set together with Controller:Engine:TickInterval",
            "Controller:Engine:Readings:MaxPowerW: ", "Controller:RackHistoryIntervalS: is set together with Controller:RackHistoryInterval",
            "Controller:Api:Url: ", "Influx:Database: ", "Influx:Write:BatchSize: ",
        })
        {
            Assert.Contains(key, output, StringComparison.Ordinal);
        }

        Assert.Contains("(7 problems", output, StringComparison.Ordinal);
        AssertNoStackTrace(output);
        Assert.False(File.Exists(Path.Combine(_dir, "c.db")), "nothing is created before the configuration is valid");
    }

    [Fact]
    public async Task The_older_seconds_key_of_the_history_interval_still_starts_the_controller()
    {
        await using MosquittoBroker broker = await MosquittoBroker.StartAsync();
        int apiPort = FreeTcpPort.Next();
        string config = Write($$"""
            {
              "Controller": {
                "Site": "s1", "Database": "c.db", "RackHistoryIntervalS": 5,
                "Mqtt": { "Host": "127.0.0.1", "Port": {{broker.Port}}, "ClientId": "controller-legacy-keys" },
                "Api": { "Url": "http://127.0.0.1:{{apiPort}}" },
                "Engine": { "IntervalS": 1, "ProofHoldMin": 3 }
              }
            }
            """);
        using var process = ProgramProcess.Start("farm-controller", _dir, "run", "--config", config);
        using HttpClient http = OperatorHttpHandler.Client(new Uri($"http://127.0.0.1:{apiPort}"), Path.Combine(_dir, "api-token"), TimeSpan.FromSeconds(5));
        await AssertApiAnswersAsync(process, http);
        Assert.DoesNotContain("is not a known key", process.Output, StringComparison.Ordinal);

        await process.TerminateAsync();
        int code = await process.WaitForExitAsync(TimeSpan.FromSeconds(30));
        Assert.True(code == 0, $"exit {code}: {process.Output}");
    }

    [Fact]
    public async Task Unknown_key_is_a_warning_with_the_nearest_key_and_sigterm_exits_0_cleanly()
    {
        await using MosquittoBroker broker = await MosquittoBroker.StartAsync();
        int apiPort = FreeTcpPort.Next();
        string config = Write($$"""
            {
              "Controller": {
                "Site": "s1", "Database": "c.db", "RackHistoryIntervallS": 5,
                "Mqtt": { "Host": "127.0.0.1", "Port": {{broker.Port}}, "ClientId": "controller-sigterm-test" },
                "Api": { "Url": "http://127.0.0.1:{{apiPort}}" }
              }
            }
            """);
        using var process = ProgramProcess.Start("farm-controller", _dir, "run", "--config", config);
        using HttpClient http = OperatorHttpHandler.Client(new Uri($"http://127.0.0.1:{apiPort}"), Path.Combine(_dir, "api-token"), TimeSpan.FromSeconds(5));
        await AssertApiAnswersAsync(process, http);
        Assert.Contains("Controller:RackHistoryIntervallS is not a known key and is ignored; did you mean Controller:RackHistoryIntervalS?", process.Output, StringComparison.Ordinal);

        await process.TerminateAsync();
        int code = await process.WaitForExitAsync(TimeSpan.FromSeconds(30));
        Assert.True(code == 0, $"exit {code}: {process.Output}");
        AssertNoStackTrace(process.Output);
        Assert.DoesNotContain("Unhandled", process.Output, StringComparison.Ordinal);
    }
}
