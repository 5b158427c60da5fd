using System.Diagnostics;
using System.Text.Json;
using CloudMining.Farm.Agent.Hosting;
using CloudMining.Farm.Mqtt.Client;
using CloudMining.Farm.Mqtt.Subscription;
using CloudMining.Farm.Shared.Wire;
using CloudMining.Farm.Tests.Agent.Polling;
using CloudMining.Farm.Tests.Infrastructure;
using CloudMining.Farm.Tests.Mqtt;
using Xunit;

namespace CloudMining.Farm.Tests.Agent.Telemetry;

/// <summary>The real farm-agent process against a broker made by scripts/broker-setup.sh (passwords, ACLs), killed with SIGKILL.</summary>
[Trait("Category", "Integration")]
public sealed class AgentProcessMqttTests
{
    [Fact]
    public async Task A_killed_agent_process_is_marked_offline_by_its_will_on_a_broker_with_the_production_acls()
    {
        string folder = Directory.CreateTempSubdirectory("farm-agent-mqtt-e2e-").FullName;
        await using SimulatedRack rack = await SimulatedRack.StartAsync(miners: 2, TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(500));
        Process? agent = null;
        MosquittoBroker? broker = null;
        try
        {
            int port = FreeTcpPort.Next();
            string credentials = Path.Combine(folder, "credentials");
            await File.WriteAllTextAsync(credentials, "agent:e2e:K-01:agent-pw-1\ncontroller:ctrl-pw-1\n");
            await RunAsync("bash", Path.Combine(RepoPaths.Root, "scripts", "broker-setup.sh"), "--out", Path.Combine(folder, "broker"), "--credentials", credentials,
                "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--data-dir", Path.Combine(folder, "data"), "--run-as", Environment.UserName);
            broker = await MosquittoBroker.StartWithConfigFileAsync(Path.Combine(folder, "broker", "mosquitto.conf"), Path.Combine(folder, "data"), port);

            var statuses = new List<AgentStatusPayload>();
            await using FarmMqttClient controller = new(MqttTestClients.Options(broker, "controller-e2e").WithCredentials("controller", "ctrl-pw-1").Build());
            var subscriber = new FarmSubscriber(controller, (m, _) =>
            {
                lock (statuses)
                {
                    if (m.Payload is AgentStatusPayload s)
                    {
                        statuses.Add(s);
                    }
                }

                return Task.CompletedTask;
            });
            await controller.ConnectAsync();
            await subscriber.SubscribeAsync(["farm/v1/#"]);

            string configPath = Path.Combine(folder, "agent.json");
            await File.WriteAllTextAsync(configPath, JsonSerializer.Serialize(new
            {
                Agent = new
                {
                    Site = "e2e",
                    RackId = "K-01",
                    PollInterval = "00:00:01",
                    MinerTimeout = "00:00:00.500",
                    RetryCount = 0,
                    StateDirectory = "state",
                    ProfilesDirectory = RepoPaths.FirmwareProfiles,
                    Log = new { Directory = "logs", Level = "Information" },
                    Mqtt = new { Host = "127.0.0.1", Port = port, Username = "agent-e2e-K-01" },
                    Miners = rack.Options.Miners.Select(m => new { m.Id, m.Address, m.Port, Profile = "auto" }).ToArray(),
                },
            }));
            var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
            start.ArgumentList.Add(typeof(AgentHost).Assembly.Location);
            start.ArgumentList.Add("run");
            start.ArgumentList.Add("--config");
            start.ArgumentList.Add(configPath);
            start.Environment["FARM_AGENT_Agent__Mqtt__Password"] = "agent-pw-1";
            agent = Process.Start(start)!;
            agent.OutputDataReceived += (_, _) => { };
            agent.ErrorDataReceived += (_, _) => { };
            agent.BeginOutputReadLine();
            agent.BeginErrorReadLine();

            int Count(AgentState state)
            {
                lock (statuses)
                {
                    return statuses.Count(s => s.State == state);
                }
            }

            Assert.True(
                await Eventually.TrueAsync(() => Count(AgentState.Online) >= 1 && subscriber.Delivered >= 4, TimeSpan.FromSeconds(45)),
                $"the agent came online through the ACL (delivered {subscriber.Delivered}); broker log:\n{await broker.ReadLogAsync()}");

            agent.Kill(entireProcessTree: true);
            await agent.WaitForExitAsync();
            Assert.True(await Eventually.TrueAsync(() => Count(AgentState.Offline) >= 1, TimeSpan.FromSeconds(20)), "the will said offline");

            // The retained status now tells the truth to anyone who looks later.
            await using FarmMqttClient late = await MqttTestClients.ConnectAsync(broker, "late", b => b.WithCredentials("controller", "ctrl-pw-1"));
            var collector = new MqttMessageCollector(late);
            await late.SubscribeAsync(FarmTopics.AgentStatus("e2e", "K-01"));
            Assert.True(await Eventually.TrueAsync(() => collector.Texts.Count > 0, TimeSpan.FromSeconds(10)));
            Assert.Contains("\"state\":\"offline\"", collector.Texts[0], StringComparison.Ordinal);
            Assert.DoesNotContain("agent-pw-1", string.Concat(Directory.GetFiles(Path.Combine(folder, "logs")).Select(File.ReadAllText)), StringComparison.Ordinal);
        }
        finally
        {
            if (agent is { HasExited: false })
            {
                agent.Kill(entireProcessTree: true);
            }

            agent?.Dispose();
            if (broker is not null)
            {
                await broker.DisposeAsync();
            }

            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task RunAsync(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in args)
        {
            start.ArgumentList.Add(a);
        }

        using Process p = Process.Start(start)!;
        Task<string> err = p.StandardError.ReadToEndAsync();
        await p.StandardOutput.ReadToEndAsync();
        await p.WaitForExitAsync();
        Assert.True(p.ExitCode == 0, $"{file} {string.Join(' ', args)} exited {p.ExitCode}: {await err}");
    }
}
