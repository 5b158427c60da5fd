using CloudMining.Farm.Agent.Cli;
using CloudMining.Farm.Simulator.Power;
using CloudMining.Farm.Tests.Infrastructure;
using Xunit;

namespace CloudMining.Farm.Tests.Agent.Cli;

public sealed class RunCommandRelayTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("farm-agent-run-relay-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private async Task<(int Code, string Error)> RunAsync(string chip, int line, bool product = false)
    {
        string path = Path.Combine(_dir, "agent.json");
        await File.WriteAllTextAsync(path, $$"""
            { "Agent": { "RackId": "A-07", "StateDirectory": "state", "Log": { "Directory": "" },
              "Hardware": { "GpioChip": "{{chip}}", "Relays": [ { "Outlet": "PDU-A/1", "Miner": "m1", "Line": {{line}} } ] },
              "Miners": [ { "Id": "m1", "Address": "127.0.0.1", "Port": {{FreeTcpPort.Next()}} } ] } }
            """);
        using var error = new StringWriter();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var logs = new InMemoryLoggerProvider();
        int code = await RunCommand.RunAsync(path, error, cts.Token, new CloudMining.Farm.Agent.Hosting.AgentHost.Overrides { ConsoleLog = false, ExtraLogger = logs, RelayChips = product ? null : SimulatedRelayChips.Factory });
        Assert.DoesNotContain(logs.Records, r => r.Exception is not null);
        return (code, error.ToString());
    }

    [Fact]
    public async Task Relay_chip_that_cannot_be_opened_stops_the_agent_naming_the_key()
    {
        (int code, string error) = await RunAsync("/dev/gpiochip99", 1);

        Assert.Equal(RunCommand.ConfigErrorExitCode, code);
        Assert.Contains("Agent:Hardware:GpioChip: Cannot open GPIO chip /dev/gpiochip99", error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Relay_line_beyond_the_chip_stops_the_agent_naming_the_relays()
    {
        (int code, string error) = await RunAsync("sim", 70);

        Assert.Equal(RunCommand.ConfigErrorExitCode, code);
        Assert.Contains("Agent:Hardware:Relays: cannot take the relay lines", error, StringComparison.Ordinal);
        Assert.Contains("0..63", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sim")]
    [InlineData("sim-http://127.0.0.1:8028")]
    public async Task The_product_agent_given_a_simulated_chip_stops_at_start_saying_where_simulated_chips_are(string chip)
    {
        (int code, string error) = await RunAsync(chip, 1, product: true);

        Assert.Equal(RunCommand.ConfigErrorExitCode, code);
        Assert.Contains($"Agent:Hardware:GpioChip: '{chip}' is a simulated chip, and farm-agent has none: simulated chips are provided by `farm-sim agent", error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }
}
