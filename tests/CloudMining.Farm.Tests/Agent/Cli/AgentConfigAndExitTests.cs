using System.Text.Json;
using CloudMining.Farm.Agent.Checks;
using CloudMining.Farm.Agent.Cli;
using CloudMining.Farm.Agent.Hosting;
using CloudMining.Farm.Tests.Infrastructure;
using Xunit;

namespace CloudMining.Farm.Tests.Agent.Cli;

/// <summary>farm-agent's config problems and its stop: a missing site with MQTT on exits 78, an unknown key is a warning naming the nearest one, SIGTERM exits 0.</summary>
[Trait("Category", "Integration")]
public sealed class AgentConfigAndExitTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("farm-agent-cfg-exit-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(object agent)
    {
        string path = Path.Combine(_dir, "agent.json");
        File.WriteAllText(path, JsonSerializer.Serialize(new { Agent = agent }));
        return path;
    }

    private static object Config(string site = "s1", bool typo = false) => typo
        ? new
        {
            Site = site, RackId = "R01", PollIntervall = "00:00:01", StateDirectory = "state", ProfilesDirectory = RepoPaths.FirmwareProfiles,
            Log = new { Directory = "" }, Miners = new[] { new { Id = "m1", Address = "127.0.0.1", Port = FreeTcpPort.Next() } },
        }
        : new
        {
            Site = site, RackId = "R01", PollInterval = "00:00:01", StateDirectory = "state", ProfilesDirectory = RepoPaths.FirmwareProfiles,
            Log = new { Directory = "" }, Mqtt = new { Host = "127.0.0.1", Port = FreeTcpPort.Next() },
            Miners = new[] { new { Id = "m1", Address = "127.0.0.1", Port = FreeTcpPort.Next() } },
        };

    [Fact]
    public async Task Missing_site_with_mqtt_on_exits_78_naming_Agent_Site()
    {
        string path = Write(Config(site: ""));
        using var error = new StringWriter();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        int code = await RunCommand.RunAsync(path, error, cts.Token, new AgentHost.Overrides { ConsoleLog = false });
        Assert.Equal(RunCommand.ConfigErrorExitCode, code);
        Assert.Contains("Agent:Site:", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("MQTT is on", error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_protocol_version_the_agent_does_not_speak_exits_78_naming_Agent_Mqtt_ProtocolVersion()
    {
        string path = Write(new
        {
            Site = "s1", RackId = "R01", PollInterval = "00:00:01", StateDirectory = "state", ProfilesDirectory = RepoPaths.FirmwareProfiles,
            Log = new { Directory = "" }, Mqtt = new { Host = "127.0.0.1", Port = FreeTcpPort.Next(), ProtocolVersion = "4" },
            Miners = new[] { new { Id = "m1", Address = "127.0.0.1", Port = FreeTcpPort.Next() } },
        });
        using var error = new StringWriter();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        int code = await RunCommand.RunAsync(path, error, cts.Token, new AgentHost.Overrides { ConsoleLog = false });
        Assert.Equal(RunCommand.ConfigErrorExitCode, code);
        Assert.Equal(78, RunCommand.ConfigErrorExitCode);
        Assert.Contains("Agent:Mqtt:ProtocolVersion: '4' is not a protocol version this agent speaks", error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_shows_an_unknown_key_as_a_warning_with_the_nearest_key_without_failing_on_it()
    {
        CheckReport report = await RackChecker.RunAsync(Write(Config(typo: true)), CancellationToken.None);
        CheckResult warning = Assert.Single(report.Checks, c => c.Warning);
        Assert.Equal("Agent:PollIntervall", warning.Subject);
        Assert.Equal("Agent:PollIntervall is not a known key and is ignored; did you mean Agent:PollInterval?", warning.Detail);
        Assert.True(warning.Passed);
        Assert.Contains(report.Checks, c => c.Area == "config" && c.Passed && !c.Warning); // the config itself validates
    }

    [Fact]
    public async Task Run_warns_about_an_unknown_key_and_sigterm_exits_0_cleanly()
    {
        string path = Write(Config(typo: true));
        using var process = ProgramProcess.Start("farm-agent", _dir, "run", "--config", path);
        string status = Path.Combine(_dir, "state", "status.json");
        Assert.True(
            await Eventually.TrueAsync(() => Task.FromResult(process.HasExited || File.Exists(status)), TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(200)),
            "no status.json: " + process.Output);
        Assert.False(process.HasExited, "farm-agent exited: " + process.Output);
        Assert.Contains("Agent:PollIntervall is not a known key and is ignored; did you mean Agent:PollInterval?", process.Output, StringComparison.Ordinal);

        await process.TerminateAsync();
        int code = await process.WaitForExitAsync(TimeSpan.FromSeconds(30));
        Assert.True(code == 0, $"exit {code}: {process.Output}");
        Assert.DoesNotContain("   at ", process.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled", process.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("ObjectDisposedException", process.Output, StringComparison.Ordinal);
    }
}
