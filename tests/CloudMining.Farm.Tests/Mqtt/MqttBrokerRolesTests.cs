using System.Diagnostics;
using System.Globalization;
using CloudMining.Farm.Mqtt.Client;
using CloudMining.Farm.Mqtt.Client.Options;
using CloudMining.Farm.Mqtt.Exceptions;
using CloudMining.Farm.Mqtt.Messages;
using CloudMining.Farm.Shared.Wire;
using CloudMining.Farm.Tests.Infrastructure;
using Microsoft.Extensions.Logging;
using Xunit;

namespace CloudMining.Farm.Tests.Mqtt;

/// <summary>The broker produced by scripts/broker-setup.sh enforces the three roles' ACLs on a real mosquitto.</summary>
[Trait("Category", "Integration")]
public sealed class MqttBrokerRolesTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private readonly string _folder = Directory.CreateTempSubdirectory("farm-broker-setup-").FullName;
    private MosquittoBroker _broker = null!;

    public async Task InitializeAsync()
    {
        string credentials = Path.Combine(_folder, "users.txt");
        await File.WriteAllTextAsync(credentials, "controller:ctl-pw\ncontract-platform:plat-pw\nagent-s1-r1:r1-pw\nagent-s1-r2:r2-pw\n");
        int port = FreeTcpPort.Next();
        string output = await RunSetupAsync(
            "--out", Path.Combine(_folder, "out"), "--credentials", credentials, "--port", port.ToString(CultureInfo.InvariantCulture),
            "--bind", "127.0.0.1", "--data-dir", Path.Combine(_folder, "data"), "--run-as", Environment.UserName);
        Assert.Contains("4 users, hashed", output, StringComparison.Ordinal);
        Assert.DoesNotContain("r1-pw", await File.ReadAllTextAsync(Path.Combine(_folder, "out", "passwd")), StringComparison.Ordinal);
        _broker = await MosquittoBroker.StartWithConfigFileAsync(Path.Combine(_folder, "out", "mosquitto.conf"), Path.Combine(_folder, "data"), port);
    }

    public async Task DisposeAsync()
    {
        await _broker.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task Agent_publishes_its_own_rack_and_writes_elsewhere_are_refused_errors_naming_topic_and_user()
    {
        await using FarmMqttClient controller = await ConnectAsync("controller", "ctl-pw");
        var seen = new MqttMessageCollector(controller);
        Assert.True((await controller.SubscribeAsync("farm/v1/#")).AllGranted);
        using var logs = new InMemoryLoggerProvider();
        await using var agent = new FarmMqttClient(Options("agent-s1-r1", "r1-pw").Build(), logs.CreateLogger<FarmMqttClient>());
        await agent.ConnectAsync();

        await agent.PublishAsync(Text(FarmTopics.MinerTelemetry("s1", "r1", "m1"), "own-telemetry"));

        // MQTT 5: mosquitto answers an ACL-denied QoS 1 PUBLISH with PUBACK 0x87 NotAuthorized; the publisher sees it.
        foreach (string forbidden in new[] { FarmTopics.Desired("s1", "r1"), FarmTopics.Events("s1", "r2"), FarmTopics.Capacity("s1") })
        {
            var refused = await Assert.ThrowsAsync<MqttPublishRefusedException>(() => agent.PublishAsync(Text(forbidden, "forged")));
            Assert.Equal(0x87, refused.ReasonCode);
            Assert.Contains(forbidden, refused.Message, StringComparison.Ordinal);
            Assert.Contains("agent-s1-r1", refused.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("r1-pw", refused.Message, StringComparison.Ordinal);
        }

        await agent.PublishAsync(Text(FarmTopics.Reported("s1", "r1"), "own-reported"));
        Assert.True(await Eventually.TrueAsync(() => seen.Texts.Contains("own-reported"), Wait));
        Assert.Equal(["own-telemetry", "own-reported"], seen.Texts);
        Assert.Equal(3, agent.RefusedPublishCount);
        InMemoryLoggerProvider.LogRecord[] errors = [.. logs.Records.Where(r => r.Level == LogLevel.Error && r.Message.Contains("refused the publish", StringComparison.Ordinal))];
        Assert.Equal(3, errors.Length);
        Assert.Contains(errors, r => r.Message.Contains(FarmTopics.Capacity("s1"), StringComparison.Ordinal) && r.Message.Contains("agent-s1-r1", StringComparison.Ordinal));
        Assert.DoesNotContain(logs.Records, r => r.Message.Contains("r1-pw", StringComparison.Ordinal));
        Assert.True(agent.IsConnected);
    }

    [Fact]
    public async Task Agent_may_publish_its_own_racks_telemetry_batch_only()
    {
        await using FarmMqttClient controller = await ConnectAsync("controller", "ctl-pw");
        var seen = new MqttMessageCollector(controller);
        Assert.True((await controller.SubscribeAsync("farm/v1/#")).AllGranted);
        await using var agent = new FarmMqttClient(Options("agent-s1-r1", "r1-pw").Build());
        await agent.ConnectAsync();

        await agent.PublishAsync(Text(FarmTopics.TelemetryBatch("s1", "r1"), "own-batch"));
        var refused = await Assert.ThrowsAsync<MqttPublishRefusedException>(() => agent.PublishAsync(Text(FarmTopics.TelemetryBatch("s1", "r2"), "forged-batch")));
        Assert.Equal(0x87, refused.ReasonCode);
        Assert.Contains(FarmTopics.TelemetryBatch("s1", "r2"), refused.Message, StringComparison.Ordinal);

        await agent.PublishAsync(Text(FarmTopics.Reported("s1", "r1"), "after"));
        Assert.True(await Eventually.TrueAsync(() => seen.Texts.Contains("after"), Wait));
        Assert.Equal(["own-batch", "after"], seen.Texts);
    }

    [Fact]
    public async Task Mqtt311_agent_writes_elsewhere_are_silently_dropped_by_the_broker()
    {
        await using FarmMqttClient controller = await ConnectAsync("controller", "ctl-pw");
        var seen = new MqttMessageCollector(controller);
        Assert.True((await controller.SubscribeAsync("farm/v1/#")).AllGranted);
        await using var agent = new FarmMqttClient(Options("agent-s1-r1", "r1-pw").WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V311).Build());
        await agent.ConnectAsync();

        await agent.PublishAsync(Text(FarmTopics.MinerTelemetry("s1", "r1", "m1"), "own-telemetry"));
        await agent.PublishAsync(Text(FarmTopics.Desired("s1", "r1"), "forged-desired"));
        await agent.PublishAsync(Text(FarmTopics.Events("s1", "r2"), "other-rack"));
        await agent.PublishAsync(Text(FarmTopics.Capacity("s1"), "forged-capacity"));
        await agent.PublishAsync(Text(FarmTopics.Reported("s1", "r1"), "own-reported"));

        // MQTT 3.1.1 has no negative PUBACK: mosquitto acknowledges and drops (why the farm speaks MQTT 5 by default).
        // The last allowed message arriving after the forbidden ones proves they had their chance to arrive and did not.
        Assert.True(await Eventually.TrueAsync(() => seen.Texts.Contains("own-reported"), Wait));
        Assert.Equal(["own-telemetry", "own-reported"], seen.Texts);
        Assert.Equal(0, agent.RefusedPublishCount);
    }

    [Fact]
    public async Task Agent_reads_only_its_own_desired_state()
    {
        await using FarmMqttClient agent = await ConnectAsync("agent-s1-r1", "r1-pw");
        var received = new MqttMessageCollector(agent);

        // mosquitto's acl_file grants every SUBSCRIBE and applies "read" rules per message at delivery time, so the
        // proof is what arrives, not the SUBACK (the dynamic-security test below shows a real SUBACK 0x80).
        await agent.SubscribeAsync([new MqttTopicFilter(FarmTopics.Desired("s1", "r1")), new MqttTopicFilter(FarmTopics.Desired("s1", "r2")), new MqttTopicFilter("farm/v1/#")]);

        await using FarmMqttClient controller = await ConnectAsync("controller", "ctl-pw");
        await controller.PublishAsync(Text(FarmTopics.Desired("s1", "r2"), "for-r2") with { Retain = true });
        await controller.PublishAsync(Text(FarmTopics.Desired("s1", "r1"), "for-r1") with { Retain = true });
        Assert.True(await Eventually.TrueAsync(() => received.Texts.Contains("for-r1"), Wait));
        // Two of the filters match; mosquitto may deliver one copy per matching subscription (MQTT 5 allows it).
        Assert.Equal(["for-r1"], received.Texts.Distinct());
    }

    [Fact]
    public async Task Contract_platform_reads_allocation_and_capacity_only_and_cannot_write()
    {
        await using FarmMqttClient controller = await ConnectAsync("controller", "ctl-pw");
        await controller.PublishAsync(Text(FarmTopics.Capacity("s1"), "capacity-1") with { Retain = true });
        await controller.PublishAsync(Text(FarmTopics.AgentStatus("s1", "r1"), "status") with { Retain = true });

        await using FarmMqttClient platform = await ConnectAsync("contract-platform", "plat-pw");
        var received = new MqttMessageCollector(platform);
        await platform.SubscribeAsync(
            [new MqttTopicFilter("farm/v1/+/capacity"), new MqttTopicFilter("farm/v1/+/allocation/#"), new MqttTopicFilter("farm/v1/#"), new MqttTopicFilter("farm/v1/s1/r1/status")]);

        var watch = new MqttMessageCollector(controller);
        await controller.SubscribeAsync("farm/v1/#");
        var refused = await Assert.ThrowsAsync<MqttPublishRefusedException>(() => platform.PublishAsync(Text(FarmTopics.Capacity("s1"), "forged-by-platform")));
        Assert.Contains("contract-platform", refused.Message, StringComparison.Ordinal);
        await controller.PublishAsync(Text(FarmTopics.Allocation("s1", "c-1"), "allocation-1"));

        Assert.True(await Eventually.TrueAsync(() => received.Texts.Contains("allocation-1"), Wait));

        // Subscribed through three filters, yet the status (not readable) never arrives and each readable message once
        // per matching subscription.
        Assert.DoesNotContain("status", received.Texts);
        Assert.Equal(["allocation-1", "capacity-1"], received.Texts.Distinct().Order());
        Assert.True(await Eventually.TrueAsync(() => watch.Texts.Contains("allocation-1"), Wait));
        Assert.DoesNotContain("forged-by-platform", watch.Texts);
    }

    [Fact]
    public async Task Agent_password_of_another_rack_is_refused()
    {
        await using var client = new FarmMqttClient(Options("agent-s1-r1", "r2-pw").Build());
        var error = await Assert.ThrowsAsync<MqttConnectException>(() => client.ConnectAsync());
        Assert.Contains("agent-s1-r1", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("r2-pw", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Setup_script_rejects_unknown_roles_with_the_line_number()
    {
        string credentials = Path.Combine(_folder, "bad.txt");
        await File.WriteAllTextAsync(credentials, "controller:x\nroot:y\n");
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => RunSetupAsync("--out", Path.Combine(_folder, "bad"), "--credentials", credentials));
        Assert.Contains("bad.txt:2: unknown role for user 'root'", error.Message, StringComparison.Ordinal);
    }

    private static MqttApplicationMessage Text(string topic, string text) =>
        new() { Topic = topic, Payload = System.Text.Encoding.UTF8.GetBytes(text), Qos = MqttQualityOfServiceLevel.AtLeastOnce };

    private MqttClientOptionsBuilder Options(string user, string password) => MqttTestClients.Options(_broker, user + "-" + Guid.NewGuid().ToString("N")[..6]).WithCredentials(user, password);

    private async Task<FarmMqttClient> ConnectAsync(string user, string password)
    {
        var client = new FarmMqttClient(Options(user, password).Build());
        await client.ConnectAsync();
        return client;
    }

    private static async Task<string> RunSetupAsync(params string[] args)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(RepoPaths.Root, "scripts", "broker-setup.sh"));
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using Process process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return process.ExitCode == 0 ? await stdout : throw new InvalidOperationException($"broker-setup.sh exited {process.ExitCode}: {await stderr}");
    }
}
