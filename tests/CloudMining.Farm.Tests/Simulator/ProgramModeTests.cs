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
}
