using System.Diagnostics;
using System.Net;
using System.Text.Json;
using CloudMining.Farm.Simulator.Control;
using CloudMining.Farm.Tests.Infrastructure;
using Xunit;

namespace CloudMining.Farm.Tests.Simulator;

[Trait("Category", "Integration")]
public sealed class ProgramModeTests
{
    private static Process Start(params string[] args)
    {
        IntegrationGuard.Starting("farm-sim (a process)");
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "farm-sim.dll"));
        foreach (string a in args)
        {
            info.ArgumentList.Add(a);
        }

        return Process.Start(info) ?? throw new InvalidOperationException("could not start farm-sim");
    }

    [Fact]
    public async Task Writes_a_manifest_serves_the_miners_and_stops_cleanly_on_SIGTERM()
    {
        string manifestPath = Path.Combine(Path.GetTempPath(), $"farm-sim-{Guid.NewGuid():N}.json");
        int controlPort = FreeTcpPort.Next();
        string baseAddress = $"127.{Random.Shared.Next(20, 220)}.{Random.Shared.Next(1, 250)}.1";
        using Process sim = Start("--miners", "3", "--firmware", "antminer,whatsminer", "--base", baseAddress, "--port", "0",
            "--control", $"127.0.0.1:{controlPort}", "--manifest", manifestPath);
        try
        {
            Assert.True(await Eventually.TrueAsync(() => File.Exists(manifestPath) && new FileInfo(manifestPath).Length > 0, TimeSpan.FromSeconds(30)),
                "farm-sim wrote no manifest: " + (sim.HasExited ? await sim.StandardError.ReadToEndAsync() : "still running"));
            FarmManifest? manifest = null;
            Assert.True(await Eventually.TrueAsync(() =>
            {
                try
                {
                    manifest = JsonSerializer.Deserialize(File.ReadAllText(manifestPath), ControlJsonContext.Default.FarmManifest);
                    return manifest is not null;
                }
                catch (JsonException)
                {
                    return false;
                }
            }, TimeSpan.FromSeconds(10)));

            Assert.Equal(3, manifest!.Miners.Count);
            Assert.Equal(["antminer", "whatsminer", "antminer"], manifest.Miners.Select(m => m.Firmware));
            Assert.Equal($"http://127.0.0.1:{controlPort}/", manifest.ControlUrl);
            MinerInfo second = manifest.Miners[1];
            string reply = await MinerWire.JsonAsync(new IPEndPoint(IPAddress.Parse(second.Host), second.Port), "summary");
            Assert.Contains("\"Fan Speed In\"", reply, StringComparison.Ordinal);

            using (Process kill = Process.Start("kill", ["-TERM", sim.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
            }

            using var exit = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            await sim.WaitForExitAsync(exit.Token);
            Assert.Equal(0, sim.ExitCode);
        }
        finally
        {
            if (!sim.HasExited)
            {
                sim.Kill();
            }

            File.Delete(manifestPath);
        }
    }

    [Fact]
    public async Task Unknown_firmware_is_refused_with_the_list_of_known_ones()
    {
        using Process sim = Start("--miners", "1", "--firmware", "bitmain-magic");
        using var exit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        string error = await sim.StandardError.ReadToEndAsync(exit.Token);
        await sim.WaitForExitAsync(exit.Token);

        Assert.Equal(2, sim.ExitCode);
        Assert.Contains("--firmware 'bitmain-magic' is unknown", error, StringComparison.Ordinal);
        Assert.Contains("braiins-os", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Control_API_off_loopback_is_refused()
    {
        using Process sim = Start("--miners", "1", "--control", "0.0.0.0:8028");
        using var exit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        string error = await sim.StandardError.ReadToEndAsync(exit.Token);
        await sim.WaitForExitAsync(exit.Token);

        Assert.Equal(2, sim.ExitCode);
        Assert.Contains("only listens on loopback", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Farm_sim_agent_runs_the_real_agent_with_the_simulated_chip_which_farm_agent_refuses()
    {
        string dir = Directory.CreateTempSubdirectory("farm-sim-agent-").FullName;
        try
        {
            string config = Path.Combine(dir, "agent.json");
            await File.WriteAllTextAsync(config, """
                { "Agent": { "RackId": "A-07", "StateDirectory": "state", "Log": { "Directory": "" },
                  "Power": { "MinOffTime": "00:00:00", "PowerUpGap": "00:00:00" },
                  "Hardware": { "GpioChip": "sim", "Relays": [ { "Outlet": "PDU-A/7", "Miner": "S19-07", "Line": 7 } ] },
                  "Miners": [ { "Id": "S19-07", "Address": "10.0.0.7" } ] } }
                """);

            // The simulator's build of the agent has the "sim" chip: the outlet is cycled on it.
            using Process sim = Start("agent", "relay", "test", "PDU-A/7", "--yes", "--config", config);
            using var exit = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            Task<string> simError = sim.StandardError.ReadToEndAsync(exit.Token);
            string simOutput = await sim.StandardOutput.ReadToEndAsync(exit.Token);
            await sim.WaitForExitAsync(exit.Token);
            Assert.True(sim.ExitCode == 0, $"farm-sim agent relay test exited {sim.ExitCode}: {await simError}{simOutput}");
            Assert.Contains("PDU-A/7 (GPIO line 7 on sim) feeds miner S19-07", simOutput, StringComparison.Ordinal);

            // The product farm-agent has no simulated chip and says where they are, switching nothing.
            using ProgramProcess agent = ProgramProcess.Start("farm-agent", dir, "relay", "test", "PDU-A/7", "--yes", "--config", config);
            Assert.Equal(78, await agent.WaitForExitAsync(TimeSpan.FromSeconds(60)));
            Assert.Contains("Agent:Hardware:GpioChip: 'sim' is a simulated chip, and farm-agent has none: simulated chips are provided by `farm-sim agent", agent.Output, StringComparison.Ordinal);
            Assert.Contains("nothing was switched", agent.Output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
