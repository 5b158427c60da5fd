using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using CloudMining.Farm.Controller.Configuration;
using CloudMining.Farm.Controller.Engine;
using CloudMining.Farm.Mqtt.Client;
using CloudMining.Farm.Mqtt.Exceptions;
using CloudMining.Farm.Mqtt.Messages;
using CloudMining.Farm.Mqtt.Subscription;
using CloudMining.Farm.Shared.Wire;
using CloudMining.Farm.Tests.Wire;
using CloudMining.Farm.Tests.Infrastructure;
using Xunit;

namespace CloudMining.Farm.Tests.Mqtt;

/// <summary>
/// What one rack's broker credentials cannot do to the controller, on mosquitto configured by scripts/broker-setup.sh
/// with the production roles: flood it with oversized messages, or take over its sessions by client id.
/// </summary>
[Trait("Category", "Integration")]
public sealed class MqttBrokerHardeningTests : IAsyncLifetime
{
    private const string ControllerPassword = "ctl-pw";
    private const string RackPassword = "r1-pw";
    private const string OperatorPassword = "ops-pw";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private readonly string _folder = Directory.CreateTempSubdirectory("farm-broker-hardening-").FullName;
    private MosquittoBroker _broker = null!;

    public async Task InitializeAsync()
    {
        string credentials = Path.Combine(_folder, "users.txt");
        await File.WriteAllTextAsync(credentials, $"controller:{ControllerPassword}\ncontract-platform:plat-pw\nagent-s1-r1:{RackPassword}\noperator:{OperatorPassword}\n");
        int port = FreeTcpPort.Next();
        await RunAsync(
            "bash", Path.Combine(RepoPaths.Root, "scripts", "broker-setup.sh"), "--out", Path.Combine(_folder, "out"), "--credentials", credentials,
            "--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--data-dir", Path.Combine(_folder, "data"), "--run-as", Environment.UserName);
        _broker = await MosquittoBroker.StartWithConfigFileAsync(Path.Combine(_folder, "out", "mosquitto.conf"), Path.Combine(_folder, "data"), port);
    }

    public async Task DisposeAsync()
    {
        await _broker.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task Generated_broker_config_enforces_the_clients_packet_limit_and_binds_client_ids_to_users()
    {
        string[] config = await File.ReadAllLinesAsync(_broker.ConfigPath);
        Assert.Contains($"max_packet_size {FarmMqttLimits.MaxPacketSize}", config);
        Assert.Contains("use_username_as_clientid true", config);
        Assert.Equal(FarmMqttLimits.MaxPacketSize, Controller().ToClientOptions().MaxPacketSize);
        Assert.Equal("controller-engine", EngineService.ClientOptions(Controller()).Username);
    }

    [Fact]
    public async Task Oversized_messages_from_a_rack_never_reach_the_controller_which_stays_connected_and_keeps_ingesting()
    {
        await using var ingest = new FarmMqttClient(Controller().ToClientOptions());
        var received = new List<FarmReceivedMessage>();
        var subscriber = new FarmSubscriber(ingest, (m, _) =>
        {
            lock (received)
            {
                received.Add(m);
            }

            return Task.CompletedTask;
        });
        await ingest.ConnectAsync();
        Assert.True((await subscriber.SubscribeAsync(["farm/v1/#"])).AllGranted);
        string topic = FarmTopics.MinerTelemetry("s1", "r1", "m1");

        // 20 MB and just over the limit: the broker disconnects the rack's publisher and stores nothing.
        await PublishFileAsRackAsync(topic, 20 * 1024 * 1024, retain: true);
        await PublishFileAsRackAsync(topic, FarmMqttLimits.MaxPacketSize + 1024, retain: true);

        // 1 MB (10^6 bytes) is under the limit: it arrives, is dropped as malformed and acknowledged.
        Assert.Equal(0, await PublishFileAsRackAsync(topic, 1_000_000, retain: false));
        Assert.True(await Eventually.TrueAsync(() => subscriber.Malformed == 1, Wait));

        await using (FarmMqttClient rack = await ConnectAsync("agent-s1-r1", RackPassword, "rack"))
        {
            await rack.PublishAsync(Telemetry(seq: 1));
        }

        // Delivered counts a message just before the handler has it: wait for the handler too.
        int Handled()
        {
            lock (received)
            {
                return received.Count;
            }
        }

        Assert.True(await Eventually.TrueAsync(() => subscriber.Delivered == 1 && Handled() == 1, Wait));
        string log = await _broker.ReadLogAsync();
        Assert.Equal(2, log.Split("disconnected due to oversize packet").Length - 1);
        Assert.Equal((0, 0L, true), (ingest.OversizedSkippedCount, ingest.ReconnectCount, ingest.IsConnected));
        lock (received)
        {
            Assert.Equal([topic], received.Select(m => m.TopicName));
        }

        // The persistent session holds nothing to re-send: after a reconnect only new telemetry arrives.
        await ingest.AbortConnectionAsync();
        Assert.True(await Eventually.TrueAsync(() => ingest.IsConnected, Wait));
        await using (FarmMqttClient rack = await ConnectAsync("agent-s1-r1", RackPassword, "rack"))
        {
            await rack.PublishAsync(Telemetry(seq: 2));
        }

        Assert.True(await Eventually.TrueAsync(() => subscriber.Delivered == 2, Wait));
        Assert.Equal((1L, 0L, 1L), (subscriber.Malformed, ingest.OversizedSkippedCount, ingest.ReconnectCount));
    }

    [Fact]
    public async Task A_rack_connecting_with_the_controllers_client_ids_does_not_disconnect_the_controller()
    {
        await using var ingest = new FarmMqttClient(Controller().ToClientOptions());
        await using var engine = new FarmMqttClient(EngineService.ClientOptions(Controller()));
        var seen = new MqttMessageCollector(ingest);
        await ingest.ConnectAsync();
        await engine.ConnectAsync();
        await ingest.SubscribeAsync("farm/v1/#");

        foreach (string stolenId in new[] { "controller", "controller-engine" })
        {
            await using FarmMqttClient rogue = await ConnectAsync("agent-s1-r1", RackPassword, stolenId);
            Assert.True(rogue.IsConnected);
        }

        // Both controller connections survived: a message from the engine still reaches the ingest client, neither reconnected.
        await engine.PublishAsync(new MqttApplicationMessage { Topic = FarmTopics.Desired("s1", "r1"), Payload = "after-takeover"u8.ToArray(), Qos = MqttQualityOfServiceLevel.AtLeastOnce });
        Assert.True(await Eventually.TrueAsync(() => seen.Texts.Contains("after-takeover"), Wait));
        Assert.Equal((0L, 0L, true, true), (ingest.ReconnectCount, engine.ReconnectCount, ingest.IsConnected, engine.IsConnected));
        string log = await _broker.ReadLogAsync();
        Assert.Equal(2, log.Split("as agent-s1-r1 (").Length - 1);
        Assert.Single(log.Split('\n'), l => l.Contains("New client connected", StringComparison.Ordinal) && l.Contains(" as controller (", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Operator_watches_everything_writes_nothing_and_does_not_disturb_the_controller()
    {
        await using var ingest = new FarmMqttClient(Controller().ToClientOptions());
        var controllerSeen = new MqttMessageCollector(ingest);
        await ingest.ConnectAsync();
        await ingest.SubscribeAsync("farm/v1/#");
        await using FarmMqttClient watch = await ConnectAsync("operator", OperatorPassword, "controller");
        var watched = new MqttMessageCollector(watch);
        await watch.SubscribeAsync("farm/v1/#");

        var refused = await Assert.ThrowsAsync<MqttPublishRefusedException>(
            () => watch.PublishAsync(new MqttApplicationMessage { Topic = FarmTopics.Desired("s1", "r1"), Payload = "forged-by-operator"u8.ToArray(), Qos = MqttQualityOfServiceLevel.AtLeastOnce }));
        Assert.Contains("'operator'", refused.Message, StringComparison.Ordinal);
        await ingest.PublishAsync(new MqttApplicationMessage { Topic = FarmTopics.Capacity("s1"), Payload = "from-controller"u8.ToArray(), Qos = MqttQualityOfServiceLevel.AtLeastOnce });

        Assert.True(await Eventually.TrueAsync(() => watched.Texts.Contains("from-controller") && controllerSeen.Texts.Contains("from-controller"), Wait));
        Assert.DoesNotContain("forged-by-operator", controllerSeen.Texts);
        Assert.Equal((0L, true, true), (ingest.ReconnectCount, ingest.IsConnected, watch.IsConnected));
    }

    private ControllerMqttOptions Controller() =>
        new() { Host = _broker.Host, Port = _broker.Port, ClientId = "controller", Username = "controller", Password = ControllerPassword };

    private static MqttApplicationMessage Telemetry(long seq) => new()
    {
        Topic = FarmTopics.MinerTelemetry("s1", "r1", "m1"),
        Payload = JsonSerializer.SerializeToUtf8Bytes(
            MinerTelemetryPayload.From(WireSamples.Snapshot(), "s1", "r1", "m1", "agent-s1-r1", seq, WireSamples.At),
            FarmJsonContext.Default.MinerTelemetryPayload),
        Qos = MqttQualityOfServiceLevel.AtLeastOnce,
    };

    private async Task<FarmMqttClient> ConnectAsync(string user, string password, string clientId)
    {
        var client = new FarmMqttClient(MqttTestClients.Options(_broker, clientId).WithCredentials(user, password).Build());
        await client.ConnectAsync();
        return client;
    }

    /// <summary>mosquitto_pub, as an attacker holding the rack's credentials would use it; returns its exit code.</summary>
    private async Task<int> PublishFileAsRackAsync(string topic, int bytes, bool retain)
    {
        string file = Path.Combine(_folder, $"payload-{bytes}");
        await File.WriteAllBytesAsync(file, Enumerable.Repeat((byte)'x', bytes).ToArray());
        var args = new List<string> { "-h", _broker.Host, "-p", _broker.Port.ToString(CultureInfo.InvariantCulture), "-u", "agent-s1-r1", "-P", RackPassword, "-q", "1", "-t", topic, "-f", file };
        if (retain)
        {
            args.Add("-r");
        }

        return await RunAsync("mosquitto_pub", [.. args], mustSucceed: false);
    }

    private static Task<int> RunAsync(string program, params string[] args) => RunAsync(program, args, mustSucceed: true);

    private static async Task<int> RunAsync(string program, string[] args, bool mustSucceed)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using Process process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(timeout.Token);
        await stdout;
        if (mustSucceed && process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} exited {process.ExitCode}: {await stderr}");
        }

        return process.ExitCode;
    }
}
