using System.Text.Json;
using CloudMining.Farm.Controller.Configuration;
using CloudMining.Farm.Controller.Engine;
using CloudMining.Farm.Controller.History;
using CloudMining.Farm.Controller.Ingest;
using CloudMining.Farm.Influx.Client;
using CloudMining.Farm.Influx.Write;
using CloudMining.Farm.Mqtt.Client;
using CloudMining.Farm.Mqtt.Messages;
using CloudMining.Farm.Shared.Wire;
using CloudMining.Farm.Tests.Infrastructure;
using CloudMining.Farm.Tests.Mqtt;
using Microsoft.Extensions.Logging;
using Xunit;

namespace CloudMining.Farm.Tests.Controller.Ingest;

/// <summary>The ingest client on a real mosquitto: misattributed payloads never reach the fleet, and its connection state drives the outage gate.</summary>
[Trait("Category", "Integration")]
public sealed class IngestIdentityTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task Payloads_claiming_another_rack_or_miner_are_dropped_counted_and_logged_once_a_minute()
    {
        await using MosquittoBroker broker = await MosquittoBroker.StartAsync();
        using var logs = new InMemoryLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.AddProvider(logs));
        await using var history = new HistoryWriter(new InfluxDBClientOptions { Enabled = false }, new WriteOptions());
        var fleet = new FleetState();
        using var service = new IngestService(Options(broker, "ctl-identity"), fleet, history, loggerFactory: factory);
        await service.StartAsync(CancellationToken.None);
        try
        {
            await service.Subscribed;
            await using FarmMqttClient r01 = await MqttTestClients.ConnectAsync(broker, "agent-s1-r01");
            var claim = new AgentStatusPayload { Publisher = "agent-s1-r01", Seq = 1, Timestamp = DateTimeOffset.UtcNow, Site = "s1", Rack = "r02", State = AgentState.Offline };
            await PublishAsync(r01, FarmTopics.AgentStatus("s1", "r01"), JsonSerializer.SerializeToUtf8Bytes(claim, FarmJsonContext.Default.AgentStatusPayload));
            for (int i = 0; i < 20; i++)
            {
                MinerTelemetryPayload t = ControllerHistoryTests.Telemetry("r02-m01", 2 + i, 5000e12, 3000) with { Rack = "r02" };
                await PublishAsync(r01, FarmTopics.MinerTelemetry("s1", "r01", "r02-m01"), JsonSerializer.SerializeToUtf8Bytes(t, FarmJsonContext.Default.MinerTelemetryPayload));
            }

            MinerTelemetryPayload honest = ControllerHistoryTests.Telemetry("m01", 100, 100e12, 3000) with { Rack = "r01" };
            await PublishAsync(r01, FarmTopics.MinerTelemetry("s1", "r01", "m01"), JsonSerializer.SerializeToUtf8Bytes(honest, FarmJsonContext.Default.MinerTelemetryPayload));

            Assert.True(await Eventually.TrueAsync(() => fleet.Miner("s1", "r01", "m01") is not null, Deadline), "the honest telemetry never arrived");
            Assert.Equal(21, service.Subscriber!.Misattributed);
            Assert.Equal(0, service.Subscriber.Malformed);
            RackLiveState only = Assert.Single(fleet.Racks());
            Assert.Equal("r01", only.Rack);
            Assert.Null(only.AgentState);
            Assert.Single(only.Miners);
            LogRecordAssert(logs);
        }
        finally
        {
            await service.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task The_outage_gate_follows_the_ingest_clients_connection_through_a_broker_restart()
    {
        await using MosquittoBroker broker = await MosquittoBroker.StartAsync();
        await using var history = new HistoryWriter(new InfluxDBClientOptions { Enabled = false }, new WriteOptions());
        var gate = new BrokerOutageGate();
        using var service = new IngestService(Options(broker, "ctl-gate"), new FleetState(), history, broker: gate);
        await service.StartAsync(CancellationToken.None);
        try
        {
            await service.Subscribed;
            Assert.True(gate.IsConnected);
            DateTimeOffset first = gate.ConnectedSince!.Value;

            await broker.StopAsync();
            Assert.True(await Eventually.TrueAsync(() => !gate.IsConnected, Deadline), "the gate did not close when the broker went away");
            Assert.Equal(1, gate.Disconnects);

            await broker.StartAgainAsync();
            Assert.True(await Eventually.TrueAsync(() => gate.IsConnected, Deadline), "the gate did not open again after the broker came back");
            Assert.True(gate.ConnectedSince > first);
        }
        finally
        {
            await service.StopAsync(CancellationToken.None);
        }
    }

    private static void LogRecordAssert(InMemoryLoggerProvider logs)
    {
        InMemoryLoggerProvider.LogRecord line = Assert.Single(logs.Records, r => r.Message.StartsWith("Rejected a message on", StringComparison.Ordinal));
        Assert.Equal(LogLevel.Warning, line.Level);
        Assert.Contains("rack 'r02' but its topic is rack 'r01'", line.Message, StringComparison.Ordinal);
    }

    private static ControllerOptions Options(MosquittoBroker broker, string clientId) => new()
    {
        Site = "s1",
        Mqtt = new ControllerMqttOptions { Host = broker.Host, Port = broker.Port, ClientId = clientId },
    };

    private static Task PublishAsync(FarmMqttClient client, string topic, byte[] payload) =>
        client.PublishAsync(new MqttApplicationMessage { Topic = topic, Payload = payload, Qos = MqttQualityOfServiceLevel.AtLeastOnce });
}
