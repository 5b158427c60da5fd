using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using CloudMining.Farm.Tests.Controller.Ctl;
using CloudMining.Farm.Tests.Infrastructure;
using Xunit;

namespace CloudMining.Farm.Tests.Controller.Api;

/// <summary>`farm-controller run` as a process: it serves the local API farmctl reaches, and a taken port stops it with a clear exit.</summary>
[Trait("Category", "Integration")]
public sealed class ControllerRunApiTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ctl-run-api-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private async Task<string> ConfigAsync(int mqttPort, int apiPort)
    {
        string config = Path.Combine(_dir, "controller.json");
        await File.WriteAllTextAsync(config, $$"""
            {
              "Controller": {
                "Site": "s1", "Database": "{{Path.Combine(_dir, "c.db")}}",
                "Mqtt": { "Host": "127.0.0.1", "Port": {{mqttPort}}, "ClientId": "controller-api-test" },
                "Api": { "Url": "http://127.0.0.1:{{apiPort}}" }
              }
            }
            """);
        return config;
    }

    private Process Start(string config)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, WorkingDirectory = _dir };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "farm-controller.dll"));
        start.ArgumentList.Add("run");
        start.ArgumentList.Add("--config");
        start.ArgumentList.Add(config);
        return Process.Start(start)!;
    }

    [Fact]
    public async Task Run_serves_the_local_api_that_farmctl_reaches()
    {
        await using MosquittoBroker broker = await MosquittoBroker.StartAsync();
        int apiPort = FreeTcpPort.Next();
        using Process process = Start(await ConfigAsync(broker.Port, apiPort));
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        try
        {
            string api = $"http://127.0.0.1:{apiPort}";
            string? json = null;
            Assert.True(
                await Eventually.TrueAsync(
                    async () =>
                    {
                        (int code, string output, _) = await FarmctlRun.InvokeAsync("capacity", "--json", "--api", api, "--token-file", Path.Combine(_dir, "api-token"));
                        json = code == 0 ? output : null;
                        return json is not null || process.HasExited;
                    },
                    TimeSpan.FromSeconds(60),
                    TimeSpan.FromMilliseconds(200)),
                "farmctl never reached the controller");
            Assert.False(process.HasExited, $"farm-controller exited {(process.HasExited ? process.ExitCode : 0)}");
            using JsonDocument doc = JsonDocument.Parse(json!);
            Assert.Equal(0, doc.RootElement.GetProperty("unitsSold").GetInt64());
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            await process.WaitForExitAsync();
        }

        Assert.Contains($"Local API listening on http://127.0.0.1:{apiPort}", await stdout, StringComparison.Ordinal);
        _ = await stderr;
    }

    [Fact]
    public async Task Run_exits_1_when_the_api_port_is_taken()
    {
        using var squatter = new TcpListener(IPAddress.Loopback, 0);
        squatter.Start();
        int port = ((IPEndPoint)squatter.LocalEndpoint).Port;
        using Process process = Start(await ConfigAsync(FreeTcpPort.Next(), port));
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        string error = await stderr;
        Assert.True(process.ExitCode == 1, $"exit {process.ExitCode}; stderr: {error}; stdout: {await stdout}");
        Assert.Contains($"the local API cannot listen on http://127.0.0.1:{port}/", error, StringComparison.Ordinal);
        Assert.Contains("Is another farm-controller running?", error, StringComparison.Ordinal);
    }
}
