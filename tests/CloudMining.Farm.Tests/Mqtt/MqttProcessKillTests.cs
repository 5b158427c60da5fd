using System.Globalization;
using System.Text;
using CloudMining.Farm.Mqtt.Client;
using CloudMining.Farm.Tests.Infrastructure;
using Xunit;

namespace CloudMining.Farm.Tests.Mqtt;

[Trait("Category", "Integration")]
public sealed class MqttProcessKillTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Will_message_is_published_when_the_client_process_is_killed()
    {
        await using MosquittoBroker broker = await MosquittoBroker.StartAsync();
        await using FarmMqttClient watcher = await MqttTestClients.ConnectAsync(broker, "watcher");
        var received = new MqttMessageCollector(watcher);
        await watcher.SubscribeAsync("farm/v1/s1/r1/status");

        await using MqttProbeProcess probe = MqttProbeProcess.Start("will", broker.Host, broker.Port.ToString(CultureInfo.InvariantCulture), "agent-s1-r1", "farm/v1/s1/r1/status", "{\"state\":\"offline\"}");
        await probe.WaitForLineAsync("CONNECTED", Wait);
        Assert.Empty(received.Messages);

        await probe.KillAsync();
        Assert.True(await Eventually.TrueAsync(() => received.Messages.Count == 1, Wait), "no will message after SIGKILL");
        Assert.Equal("{\"state\":\"offline\"}", received.Texts[0]);
    }

    [Fact]
    public async Task Messages_queued_while_the_broker_is_down_survive_kill_9_and_arrive_in_order()
    {
        string queueDirectory = Directory.CreateTempSubdirectory("farm-queue-").FullName;
        await using MosquittoBroker broker = await MosquittoBroker.StartAsync();
        await using FarmMqttClient subscriber = await MqttTestClients.ConnectAsync(broker, "queue-sub", b => b.WithCleanSession(false).WithAutoReconnect(TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(300)));
        var received = new MqttMessageCollector(subscriber);
        await subscriber.SubscribeAsync("farm/v1/s1/r1/events");
        await broker.StopAsync();

        string port = broker.Port.ToString(CultureInfo.InvariantCulture);
        int killedAfter;
        await using (MqttProbeProcess first = MqttProbeProcess.Start("queue", broker.Host, port, "agent-s1-r1", queueDirectory, "farm/v1/s1/r1/events", "0", "100000"))
        {
            await first.WaitForLineAsync("QUEUED 200", Wait);
            await first.KillAsync();
            killedAfter = first.Lines.Where(l => l.StartsWith("QUEUED ", StringComparison.Ordinal)).Select(l => int.Parse(l[7..], CultureInfo.InvariantCulture)).Max();
        }

        await using MqttProbeProcess second = MqttProbeProcess.Start("queue", broker.Host, port, "agent-s1-r1", queueDirectory, "farm/v1/s1/r1/events", "1000000", "50");
        await second.WaitForLineAsync("QUEUED 1000049", Wait);
        await broker.StartAgainAsync();
        await second.WaitForLineAsync("DRAINED", Wait);

        Assert.True(await Eventually.TrueAsync(() => received.Texts.Contains("1000049"), Wait), "queued messages did not arrive");
        int[] unique = [.. received.Texts.Select(t => int.Parse(t, CultureInfo.InvariantCulture)).Distinct()];

        // Everything the first process reported as queued arrives, then the second process's messages, each in order.
        int[] fromFirst = [.. unique.Where(n => n < 1000000)];
        Assert.Equal(Enumerable.Range(0, fromFirst.Length), fromFirst);
        Assert.True(fromFirst.Length >= killedAfter + 1, $"only {fromFirst.Length} of {killedAfter + 1} reported-queued messages arrived");
        Assert.Equal(Enumerable.Range(1000000, 50), unique.Where(n => n >= 1000000));
        Assert.True(Array.IndexOf(unique, fromFirst[^1]) < Array.IndexOf(unique, 1000000));
        Directory.Delete(queueDirectory, recursive: true);
    }
}
