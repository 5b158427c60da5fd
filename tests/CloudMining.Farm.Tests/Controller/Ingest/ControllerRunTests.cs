using System.Diagnostics;
using System.Text.Json;
using CloudMining.Farm.Controller.Hosting;
using CloudMining.Farm.Controller.Ingest;
using CloudMining.Farm.Controller.Store;
using CloudMining.Farm.Mqtt.Client;
using CloudMining.Farm.Mqtt.Messages;
using CloudMining.Farm.Shared.Wire;
using CloudMining.Farm.Tests.Influx;
using CloudMining.Farm.Tests.Infrastructure;
using CloudMining.Farm.Tests.Mqtt;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Xunit;

namespace CloudMining.Farm.Tests.Controller.Ingest;

/// <summary>farm-controller run as configured from a JSON file: the host wiring, and the exit on a bad key.</summary>
[Trait("Category", "Integration")]
public sealed class ControllerRunTests(InfluxdFixture influx) : IClassFixture<InfluxdFixture>, IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ctl-run-").FullName;

    [Fact]
    public async Task Host_built_from_a_json_config_ingests_telemetry_and_writes_it_to_influxd()
    {
        await using MosquittoBroker broker = await MosquittoBroker.StartAsync();
        string db = await influx.NewDatabaseAsync();
        string config = Path.Combine(_dir, "controller.json");
        await File.WriteAllTextAsync(config, $$"""
            {
              "Controller": { "Site": "s1", "Database": "{{Path.Combine(_dir, "c.db")}}", "Mqtt": { "Host": "{{broker.Host}}", "Port": {{broker.Port}}, "ClientId": "controller-run-test" } },
              "Influx": { "Enabled": true, "Url": "{{influx.Server.Url}}", "Database": "{{db}}", "Write": { "FlushInterval": "00:00:00.100" } }
            }
            """);
        ControllerSettings settings = ControllerHost.Bind(ControllerHost.LoadConfiguration(config));
        Assert.Equal(Path.Combine(_dir, "influx-spill"), settings.InfluxWrite.SpillDirectory);
        await using SqliteControllerStore store = await SqliteControllerStore.OpenAsync(settings.Store.Database, CancellationToken.None);
        using IHost host = ControllerHost.Build(settings, store);
        await host.StartAsync();
        try
        {
            await host.Services.GetRequiredService<IngestService>().Subscribed;
            await using FarmMqttClient agent = await MqttTestClients.ConnectAsync(broker, "agent-s1-r07");
            MinerTelemetryPayload telemetry = ControllerHistoryTests.Telemetry("m09", 1, 101e12, 3010);
            await agent.PublishAsync(new MqttApplicationMessage
            {
                Topic = FarmTopics.MinerTelemetry("s1", "r07", "m09"),
                Payload = JsonSerializer.SerializeToUtf8Bytes(telemetry, FarmJsonContext.Default.MinerTelemetryPayload),
                Qos = MqttQualityOfServiceLevel.AtLeastOnce,
            });

            // No explicit flush: the configured 100 ms flush interval must carry the point to influxd by itself.
            Assert.True(await Eventually.TrueAsync(
                async () => InfluxQueryResult.Rows(await influx.Server.QueryAsync(db, "SELECT hashrate_5s_hs, power_w, miner FROM miner")) is [var row]
                    && row.Row["hashrate_5s_hs"].GetDouble() == 101e12 && row.Row["power_w"].GetDouble() == 3010 && row.Row["miner"].GetString() == "m09",
                TimeSpan.FromSeconds(15)));
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Fact]
    public async Task Run_with_a_bad_influx_url_exits_78_naming_the_setting()
    {
        string config = Path.Combine(_dir, "bad.json");
        await File.WriteAllTextAsync(config, """{ "Controller": { "Site": "s1" }, "Influx": { "Enabled": true, "Url": "influx-host:8086", "Database": "farm" } }""");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            WorkingDirectory = _dir,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "farm-controller.dll"));
        start.ArgumentList.Add("run");
        start.ArgumentList.Add("--config");
        start.ArgumentList.Add(config);
        using Process process = Process.Start(start)!;
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
        Assert.True(process.ExitCode == 78, $"exit {process.ExitCode}; stderr: {error}; stdout: {await stdout}");
        Assert.Contains("Influx:Url", error, StringComparison.Ordinal);
        Assert.Contains("influx-host:8086", error, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_dir, "farm-controller.db")), "nothing is created before the configuration is valid");
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
