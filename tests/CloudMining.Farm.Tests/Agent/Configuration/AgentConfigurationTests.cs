using CloudMining.Farm.Agent.Configuration;
using Xunit;

namespace CloudMining.Farm.Tests.Agent.Configuration;

public sealed class AgentConfigurationTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("farm-agent-config-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void File_values_bind_with_defaults_and_relative_folders_resolve_from_the_file()
    {
        string path = Path.Combine(_dir, "agent.json");
        File.WriteAllText(path, """
            { "Agent": { "RackId": "A-07", "StateDirectory": "state", "Log": { "Directory": "logs", "Level": "Debug" },
              "CircuitBreaker": { "FailureThreshold": 5 },
              "Miners": [ { "Id": "m1", "Address": "10.0.0.30", "NominalHashrate": "110 TH/s" }, { "Id": "m2", "Address": "10.0.0.31", "Port": 4029 } ] } }
            """);
        AgentOptions o = AgentConfiguration.Bind(AgentConfiguration.Load(path), path);
        Assert.Equal("A-07", o.RackId);
        Assert.Equal(TimeSpan.FromSeconds(10), o.PollInterval);
        Assert.Equal(5, o.CircuitBreaker.FailureThreshold);
        Assert.Equal(TimeSpan.FromSeconds(60), o.CircuitBreaker.BreakDuration);
        Assert.Equal(Path.Combine(_dir, "state"), o.StateDirectory);
        Assert.Equal(Path.Combine(_dir, "logs"), o.Log.Directory);
        Assert.Equal(Serilog.Events.LogEventLevel.Debug, o.Log.Level);
        Assert.Equal(2, o.Miners.Count);
        Assert.Equal(4028, o.Miners[0].Port);
        Assert.Equal(4029, o.Miners[1].Port);
        Assert.Equal("auto", o.Miners[1].Profile);
        Assert.Empty(AgentOptionsValidator.Check(o));
    }

    [Fact]
    public void Environment_variables_with_the_prefix_override_the_file()
    {
        string path = Path.Combine(_dir, "agent.json");
        File.WriteAllText(path, """{ "Agent": { "RackId": "A-07", "Site": "from-file", "Miners": [ { "Id": "m1", "Address": "10.0.0.30" } ] } }""");

        // Site: a key no other test asserts on, so setting it process-wide cannot disturb tests running in parallel.
        const string name = "FARM_AGENT_Agent__Site";
        Environment.SetEnvironmentVariable(name, "from-env");
        try
        {
            AgentOptions o = AgentConfiguration.Bind(AgentConfiguration.Load(path), path);
            Assert.Equal("from-env", o.Site);
            Assert.Equal("A-07", o.RackId);
        }
        finally
        {
            Environment.SetEnvironmentVariable(name, null);
        }
    }
}
