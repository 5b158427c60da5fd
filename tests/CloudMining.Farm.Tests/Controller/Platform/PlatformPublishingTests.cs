using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using CloudMining.Farm.Controller.Configuration;
using CloudMining.Farm.Controller.Engine;
using CloudMining.Farm.Controller.Enforcement;
using CloudMining.Farm.Mqtt.Client;
using CloudMining.Farm.Mqtt.Client.Options;
using CloudMining.Farm.Mqtt.Exceptions;
using CloudMining.Farm.Mqtt.Messages;
using CloudMining.Farm.Shared.Wire;
using CloudMining.Farm.Tests.Controller.Engine;
using CloudMining.Farm.Tests.Infrastructure;
using CloudMining.Farm.Tests.Mqtt;
using Xunit;

namespace CloudMining.Farm.Tests.Controller.Platform;

/// <summary>
/// What the contract platform gets, on a mosquitto configured by scripts/broker-setup.sh: the engine (as user
/// "controller") publishes allocation per contract and capacity retained; the platform's read-only user reads them,
/// reads nothing else, and cannot write.
/// </summary>
#pragma warning disable CA1001 // The MQTT client is asynchronously disposable only; IAsyncLifetime.DisposeAsync disposes it.
[Trait("Category", "Integration")]
public sealed class PlatformPublishingTests : IAsyncLifetime
#pragma warning restore CA1001
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(30);
    private readonly string _folder = Directory.CreateTempSubdirectory("farm-platform-").FullName;
    private MosquittoBroker _broker = null!;
    private FarmMqttClient _engineClient = null!;
    private EngineFarm _farm = null!;

    public async Task InitializeAsync()
    {
        string credentials = Path.Combine(_folder, "users.txt");
        await File.WriteAllTextAsync(credentials, "controller:ctl-pw\ncontract-platform:plat-pw\nagent-s1-r1:r1-pw\n");
        int port = FreeTcpPort.Next();
        await RunSetupAsync(
            "--out", Path.Combine(_folder, "out"), "--credentials", credentials, "--port", port.ToString(CultureInfo.InvariantCulture),
            "--bind", "127.0.0.1", "--data-dir", Path.Combine(_folder, "data"), "--run-as", Environment.UserName);
        _broker = await MosquittoBroker.StartWithConfigFileAsync(Path.Combine(_folder, "out", "mosquitto.conf"), Path.Combine(_folder, "data"), port);
        _engineClient = new FarmMqttClient(EngineService.ClientOptions(new ControllerMqttOptions { Host = _broker.Host, Port = _broker.Port, ClientId = "controller", Username = "controller", Password = "ctl-pw" }));
        await _engineClient.ConnectAsync();
        var publisher = new MqttFarmPublisher(_engineClient, new PublisherSequence(Path.Combine(_folder, "seq")), "controller");
        _farm = await EngineFarm.StartAsync(publisher: publisher);
        _farm.WithMiners(racks: 2, perRack: 3, th: 100);
    }

    public async Task DisposeAsync()
    {
        await _farm.DisposeAsync();
        await _engineClient.DisposeAsync();
        await _broker.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task Platform_reads_retained_allocation_and_capacity_and_nothing_else()
    {
        await _farm.RunAsync(Step, Step);
        await _farm.AddContractAsync("c1", 250);
        await _farm.RunAsync(TimeSpan.FromMinutes(3), Step);

        // Connects after the fact: everything it needs is retained.
        await using FarmMqttClient platform = await ConnectAsync("contract-platform", "plat-pw");
        var seen = new MqttMessageCollector(platform);
        await platform.SubscribeAsync([new MqttTopicFilter("farm/v1/+/allocation/#"), new MqttTopicFilter("farm/v1/+/capacity"), new MqttTopicFilter("farm/v1/#")]);
        Assert.True(await Eventually.TrueAsync(() => seen.Messages.Any(m => m.Topic.EndsWith("/capacity", StringComparison.Ordinal)) && seen.Messages.Any(m => m.Topic.Contains("/allocation/", StringComparison.Ordinal)), Wait));

        AllocationPayload allocation = JsonSerializer.Deserialize(seen.Messages.First(m => m.Topic == FarmTopics.Allocation("s1", "c1")).Payload.Span, FarmJsonContext.Default.AllocationPayload)!;
        Assert.True(seen.Messages.First(m => m.Topic == FarmTopics.Allocation("s1", "c1")).Retain);
        Assert.Equal(("c1", ContractStatus.Active, 250e12), (allocation.ContractId, allocation.Status, allocation.TargetHs!.Value));
        Assert.True(allocation.AllocatedHs >= 250e12, $"allocated {allocation.AllocatedHs}");
        Assert.Equal(allocation.Shares!.Select(s => s.MinerId), allocation.MinerIds);
        Assert.Equal(3, allocation.Shares!.Count); // whole miners, rounded up: this firmware has no quotas
        Assert.Equal(2, allocation.Shares!.Select(s => s.Rack).Distinct().Count());
        Assert.Equal(_farm.Engine.Version, allocation.Version);
        Assert.NotNull(allocation.DeliveredHs);

        CapacityPayload capacity = JsonSerializer.Deserialize(seen.Messages.First(m => m.Topic == FarmTopics.Capacity("s1")).Payload.Span, FarmJsonContext.Default.CapacityPayload)!;
        Assert.Equal((60L, 25L, 35L, 10e12), (capacity.UnitsTotal!.Value, capacity.UnitsSold!.Value, capacity.UnitsFree!.Value, capacity.UnitSizeHs!.Value));
        Assert.Equal((6, 6), (capacity.MinersOnline, capacity.MinersTotal));

        // Nothing outside its two branches reaches it, although it subscribed to farm/v1/#: no desired state, no telemetry.
        Assert.All(seen.Messages, m => Assert.Matches("^farm/v1/s1/(capacity|allocation/c1)$", m.Topic));
    }

    [Fact]
    public async Task Platform_cannot_write_and_an_ended_contract_leaves_its_final_status_retained()
    {
        await _farm.RunAsync(Step, Step);
        await _farm.AddContractAsync("c1", 100);
        await _farm.RunAsync(Step, Step);
        await using FarmMqttClient controllerWatch = await ConnectAsync("controller", "ctl-pw");
        var watched = new MqttMessageCollector(controllerWatch);
        await controllerWatch.SubscribeAsync("farm/v1/#");

        await using FarmMqttClient platform = await ConnectAsync("contract-platform", "plat-pw");
        await Assert.ThrowsAsync<MqttPublishRefusedException>(() => platform.PublishAsync(Text(FarmTopics.Capacity("s1"), "forged-capacity", retain: true)));
        await Assert.ThrowsAsync<MqttPublishRefusedException>(() => platform.PublishAsync(Text(FarmTopics.Allocation("s1", "c1"), "forged-allocation", retain: true)));
        await Assert.ThrowsAsync<MqttPublishRefusedException>(() => platform.PublishAsync(Text(FarmTopics.Desired("s1", "r1"), "forged-desired", retain: true)));
        await _farm.Engine.EndContractAsync("c1", CancellationToken.None);

        // The engine's publishes after the forged ones arrive; the forged ones never do (the broker's ACL refused each with PUBACK 0x87).
        Assert.True(await Eventually.TrueAsync(() => watched.Messages.Any(m => m.Topic == FarmTopics.Allocation("s1", "c1")), Wait));
        Assert.DoesNotContain(watched.Texts, t => t.StartsWith("forged", StringComparison.Ordinal));

        await using FarmMqttClient late = await ConnectAsync("contract-platform", "plat-pw");
        var retained = new MqttMessageCollector(late);
        await late.SubscribeAsync([new MqttTopicFilter("farm/v1/+/allocation/#"), new MqttTopicFilter("farm/v1/+/capacity")]);
        Assert.True(await Eventually.TrueAsync(() => retained.Messages.Count >= 2, Wait));
        AllocationPayload final = JsonSerializer.Deserialize(retained.Messages.Single(m => m.Topic == FarmTopics.Allocation("s1", "c1")).Payload.Span, FarmJsonContext.Default.AllocationPayload)!;
        Assert.Equal(ContractStatus.Ended, final.Status);
        Assert.Empty(final.MinerIds);
        Assert.Equal(0, final.HashrateHs);
        Assert.Equal("controller", JsonSerializer.Deserialize(retained.Messages.Single(m => m.Topic == FarmTopics.Capacity("s1")).Payload.Span, FarmJsonContext.Default.CapacityPayload)!.Publisher);
    }

    private static MqttApplicationMessage Text(string topic, string text, bool retain) =>
        new() { Topic = topic, Payload = System.Text.Encoding.UTF8.GetBytes(text), Qos = MqttQualityOfServiceLevel.AtLeastOnce, Retain = retain };

    private async Task<FarmMqttClient> ConnectAsync(string user, string password)
    {
        var client = new FarmMqttClient(MqttTestClients.Options(_broker, user + "-" + Guid.NewGuid().ToString("N")[..6]).WithCredentials(user, password).Build());
        await client.ConnectAsync();
        return client;
    }

    private static async Task RunSetupAsync(params string[] args)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(RepoPaths.Root, "scripts", "broker-setup.sh"));
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using Process process = Process.Start(start)!;
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"broker-setup.sh exited {process.ExitCode}: {await stderr}");
        }
    }
}
