using System.Net;
using System.Text.Json;
using CloudMining.Farm.Agent.Cli;
using CloudMining.Farm.Agent.Hosting;
using CloudMining.Farm.Simulator;
using CloudMining.Farm.Simulator.Control;
using CloudMining.Farm.Simulator.Faults;
using CloudMining.Farm.Simulator.Power;
using CloudMining.Farm.Tests.Infrastructure;
using CloudMining.Farm.Tests.Simulator;
using Xunit;

namespace CloudMining.Farm.Tests.Agent.Watchdog;

public sealed class AgentWatchdogEndToEndTests
{
    [Fact]
    public async Task Running_agent_power_cycles_a_dead_miner_through_the_demo_relay_and_sees_it_recover()
    {
        await using SimulatedFarm farm = await TestFarms.StartAsync("antminer", miners: 2, writeAccess: true,
            customize: (_, s) => s with { BootDelay = TimeSpan.FromMilliseconds(300), RestartDelay = TimeSpan.FromMilliseconds(300) });
        await using ControlServer control = await ControlServer.StartAsync(farm, new IPEndPoint(IPAddress.Loopback, FreeTcpPort.Next()));
        string dir = Directory.CreateTempSubdirectory("farm-agent-watchdog-e2e-").FullName;
        try
        {
            string configPath = Path.Combine(dir, "agent.json");
            var config = new
            {
                Agent = new
                {
                    Site = "e2e",
                    RackId = "W-02",
                    PollInterval = "00:00:01",
                    MinerTimeout = "00:00:00.800",
                    RetryCount = 0,
                    StateDirectory = "state",
                    ProfilesDirectory = RepoPaths.FirmwareProfiles,
                    Log = new { Directory = string.Empty },
                    CircuitBreaker = new { FailureThreshold = 1000 },
                    Power = new { MinOffTime = "00:00:00.500", PowerUpGap = "00:00:00" },
                    Watchdog = new { Window = "00:00:02", NetworkHoldMinMiners = 10 },
                    Hardware = new
                    {
                        GpioChip = "sim-http://" + control.Url.Authority,
                        Relays = farm.Miners.Select((m, i) => new { Outlet = $"PDU-A/{i + 1}", Miner = m.Id, Line = i }).ToArray(),
                    },
                    Miners = farm.Miners.Select(m => new { m.Id, Address = m.Endpoint.Host, m.Endpoint.Port, Profile = "antminer" }).ToArray(),
                },
            };
            await File.WriteAllTextAsync(configPath, JsonSerializer.Serialize(config));
            var logs = new InMemoryLoggerProvider();
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            using var error = new StringWriter();
            Task<int> run = RunCommand.RunAsync(configPath, error, stop.Token, new AgentHost.Overrides { ConsoleLog = false, ExtraLogger = logs, RelayChips = SimulatedRelayChips.Factory });

            SimulatedMiner sick = farm.Miners[0];
            Assert.True(await Eventually.TrueAsync(() => logs.Records.Any(r => r.Property("MinerId") == sick.Id && r.Property("State") == "Ok"), TimeSpan.FromSeconds(20)), "first good poll; " + error);
            sick.InjectFault(MinerFault.Refuse());

            List<string> Trail() => logs.Records
                .Where(r => r.Property("EventAction") is not null && r.Property("MinerId") == sick.Id)
                .Select(r => $"{r.Property("EventKind")}:{r.Property("EventAction")}")
                .ToList();
            Assert.True(
                await Eventually.TrueAsync(
                    () =>
                    {
                        Assert.False(run.IsCompleted, "agent exited early: " + error);
                        if (Trail().Contains("relay:power-off"))
                        {
                            sick.ClearFaults(); // the power-cycle is what cures it
                        }

                        return Trail().Contains("watchdog:recovered");
                    },
                    TimeSpan.FromSeconds(40)),
                "recovered; trail so far: " + string.Join(", ", Trail()));

            Assert.Equal(
                ["watchdog:retry", "watchdog:restart", "watchdog:restart-failed", "watchdog:power-cycle", "relay:power-off", "relay:power-on", "watchdog:recovered"],
                Trail());
            Assert.DoesNotContain(logs.Records, r => r.Property("EventAction") is not null && r.Property("MinerId") == farm.Miners[1].Id);
            await stop.CancelAsync();
            Assert.Equal(0, await run);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
