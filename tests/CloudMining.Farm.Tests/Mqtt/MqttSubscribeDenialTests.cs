using System.Diagnostics;
using System.Text.Json.Nodes;
using CloudMining.Farm.Mqtt.Client;
using CloudMining.Farm.Mqtt.Client.Options;
using CloudMining.Farm.Mqtt.Messages;
using CloudMining.Farm.Tests.Infrastructure;
using Microsoft.Extensions.Logging;
using Xunit;

namespace CloudMining.Farm.Tests.Mqtt;

[Trait("Category", "Integration")]
public sealed class MqttSubscribeDenialTests
{
    private const string DynamicSecurityPlugin = "/usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so";

    [Fact]
    public async Task Subscription_refused_by_the_broker_surfaces_as_suback_0x80_per_filter()
    {
        Assert.True(File.Exists(DynamicSecurityPlugin), $"{DynamicSecurityPlugin} is missing; install it: ./install.sh --deps");
        string folder = Directory.CreateTempSubdirectory("farm-dynsec-").FullName;
        string config = Path.Combine(folder, "dynamic-security.json");
        using (Process init = Process.Start(new ProcessStartInfo("mosquitto_ctrl", ["dynsec", "init", config, "platform", "plat-pw"]) { RedirectStandardOutput = true, UseShellExecute = false })!)
        {
            await init.WaitForExitAsync();
            Assert.Equal(0, init.ExitCode);
        }

        // Narrow the generated role: subscriptions allowed only to capacity; the default denies every other SUBSCRIBE.
        JsonNode doc = JsonNode.Parse(await File.ReadAllTextAsync(config))!;
        JsonArray acls = doc["roles"]![0]!["acls"]!.AsArray();
        acls.Clear();
        acls.Add(new JsonObject { ["acltype"] = "subscribePattern", ["topic"] = "farm/v1/+/capacity", ["allow"] = true });
        acls.Add(new JsonObject { ["acltype"] = "publishClientReceive", ["topic"] = "farm/v1/#", ["allow"] = true });
        await File.WriteAllTextAsync(config, doc.ToJsonString());

        await using MosquittoBroker broker = await MosquittoBroker.StartAsync($"allow_anonymous false\nplugin {DynamicSecurityPlugin}\nplugin_opt_config_file {config}");
        using var logs = new InMemoryLoggerProvider();
        await using var client = new FarmMqttClient(MqttTestClients.Options(broker, "platform-1").WithCredentials("platform", "plat-pw").Build(), logs.CreateLogger<FarmMqttClient>());
        await client.ConnectAsync();
        MqttClientSubscribeResult result = await client.SubscribeAsync([new MqttTopicFilter("farm/v1/+/capacity"), new MqttTopicFilter("farm/v1/#")]);

        Assert.Equal([MqttSubscribeReturnCode.GrantedQos1, MqttSubscribeReturnCode.Failure], result.Items.Select(i => i.ReturnCode));
        Assert.False(result.AllGranted);
        Assert.True(result.Items[1].ReasonCode >= 0x80, $"SUBACK reason 0x{result.Items[1].ReasonCode:X2} is not a refusal");
        Assert.True(client.IsConnected);

        // The refusal is an error in the log naming the filter and the broker user (never the password), not silent loss.
        Assert.Contains(
            logs.Records,
            r => r.Level == LogLevel.Error
                && r.Message.Contains("refused the subscription to farm/v1/# for user platform", StringComparison.Ordinal));
        Assert.DoesNotContain(logs.Records, r => r.Message.Contains("refused the subscription to farm/v1/+/capacity", StringComparison.Ordinal));
        Assert.DoesNotContain(logs.Records, r => r.Message.Contains("plat-pw", StringComparison.Ordinal));
        Directory.Delete(folder, recursive: true);
    }
}
