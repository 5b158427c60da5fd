using System.Text.Json;
using CloudMining.Farm.Agent.Cli;
using CloudMining.Farm.Agent.Hosting;
using CloudMining.Farm.Agent.Status;
using CloudMining.Farm.Tests.Agent.Polling;
using CloudMining.Farm.Tests.Infrastructure;
using Spectre.Console;
using Xunit;

namespace CloudMining.Farm.Tests.Agent.Cli;

public sealed class RunCommandEndToEndTests
{
    [Fact]
    public async Task Run_polls_the_rack_from_a_config_file_writes_status_and_stops_cleanly()
    {
        await using SimulatedRack rack = await SimulatedRack.StartAsync(miners: 4, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1));
        string dir = rack.Options.StateDirectory;
        Directory.CreateDirectory(dir);
        string configPath = Path.Combine(dir, "agent.json");
        var config = new
        {
            Agent = new
            {
                Site = "e2e",
                RackId = "E-01",
                PollInterval = "00:00:02",
                MinerTimeout = "00:00:01",
                RetryCount = 0,
                StateDirectory = "state",
                ProfilesDirectory = RepoPaths.FirmwareProfiles,
                Log = new { Directory = "logs", Level = "Information" },
                Miners = rack.Options.Miners.Select(m => new { m.Id, m.Address, m.Port, Profile = "auto" }).ToArray(),
            },
        };
        await File.WriteAllTextAsync(configPath, JsonSerializer.Serialize(config));

        var logs = new InMemoryLoggerProvider();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var error = new StringWriter();
        Task<int> run = RunCommand.RunAsync(configPath, error, stop.Token, new AgentHost.Overrides { ConsoleLog = false, ExtraLogger = logs });

        string stateDir = Path.Combine(dir, "state");
        AgentStatusDocument? doc = null;
        Assert.True(
            await Eventually.TrueAsync(
                async () =>
                {
                    Assert.False(run.IsCompleted, "agent exited early: " + error);
                    doc = await TryReadAsync(stateDir);
                    return doc is not null && doc.Miners.All(m => m.Hashrate5s > 0);
                },
                TimeSpan.FromSeconds(30)),
            "status.json with live hashrate for every miner");
        Assert.Equal("E-01", doc!.RackId);
        Assert.Equal(4, doc.MinersAnswering);
        Assert.All(doc.Miners, m => Assert.NotNull(m.FirmwareProfile));

        // The technician's view of the same file.
        using var output = new StringWriter();
        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings { Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Out = new AnsiConsoleOutput(output) });
        console.Profile.Width = 240;
        int statusCode = await StatusCommand.ExecuteAsync(configPath, null, false, console, output, TextWriter.Null, TimeProvider.System, CancellationToken.None);
        Assert.Equal(0, statusCode);
        Assert.Contains(rack[0].Id, output.ToString(), StringComparison.Ordinal);
        Assert.Contains("4 of 4 miners answering", output.ToString(), StringComparison.Ordinal);

        // Every miner's latest logged state is Ok (a loaded machine may time one out in the first, cold cycle),
        // and the rolling log file has the same lines.
        Assert.All(rack.Options.Miners, m => Assert.Equal("Ok", logs.Records.Last(r => r.Property("MinerId") == m.Id && r.Property("State") is not null).Property("State")));
        await stop.CancelAsync();
        Assert.Equal(0, await run);
        string logFile = Assert.Single(Directory.GetFiles(Path.Combine(dir, "logs"), "farm-agent-*.log"));
        string logText = await File.ReadAllTextAsync(logFile);
        Assert.True(logText.Contains($"Miner {rack[0].Id} at {rack[0].Endpoint} is now Ok", StringComparison.Ordinal), logText);
    }

    private static async Task<AgentStatusDocument?> TryReadAsync(string dir)
    {
        try
        {
            return await StatusFile.ReadAsync(dir, CancellationToken.None);
        }
        catch (IOException)
        {
            return null;
        }
    }
}
