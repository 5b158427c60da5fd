using System.Text;
using CloudMining.Farm.Mqtt.Client;
using CloudMining.Farm.Mqtt.Client.Options;
using CloudMining.Farm.Mqtt.Exceptions;
using System.Text.Json;
using CloudMining.Farm.Mqtt.Messages;
using CloudMining.Farm.Shared.Wire;
using CloudMining.Farm.Tests.Infrastructure;
using Xunit;

namespace CloudMining.Farm.Tests.Mqtt;

[Trait("Category", "Integration")]
public sealed class MqttClientTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Published_messages_reach_a_subscriber_byte_for_byte_at_qos0_and_qos1()
    {
        await using MosquittoBroker broker = await MosquittoBroker.StartAsync();
        await using FarmMqttClient subscriber = await MqttTestClients.ConnectAsync(broker, "sub");
        var received = new MqttMessageCollector(subscriber);
        MqttClientSubscribeResult result = await subscriber.SubscribeAsync("farm/v1/+/r1/#");
        Assert.True(result.AllGranted);
        Assert.Equal(MqttSubscribeReturnCode.GrantedQos1, result.Items[0].ReturnCode);

        await using FarmMqttClient publisher = await MqttTestClients.ConnectAsync(broker, "pub");
        byte[] binary = [.. Enumerable.Range(0, 256).Select(i => (byte)i)];
        await publisher.PublishAsync(new MqttApplicationMessage { Topic = "farm/v1/s1/r1/telemetry", Payload = binary, Qos = MqttQualityOfServiceLevel.AtMostOnce });
        await publisher.PublishAsync(new MqttApplicationMessage { Topic = "farm/v1/s1/r1/events", Payload = "qos1"u8.ToArray(), Qos = MqttQualityOfServiceLevel.AtLeastOnce });
        await publisher.PublishAsync(new MqttApplicationMessage { Topic = "farm/v1/s1/r2/events", Payload = "other rack"u8.ToArray() });

        Assert.True(await Eventually.TrueAsync(() => received.Messages.Count >= 2, Wait));
        Assert.Equal(binary, received.Messages[0].Payload.ToArray());
        Assert.Equal("farm/v1/s1/r1/telemetry", received.Messages[0].Topic);
        Assert.Equal("qos1", received.Texts[1]);
        Assert.Equal(MqttQualityOfServiceLevel.AtLeastOnce, received.Messages[1].Qos);
        Assert.DoesNotContain("other rack", received.Texts);
    }

    [Fact]
    public async Task Retained_message_is_delivered_to_a_late_subscriber_with_the_retain_flag()
    {
        await using MosquittoBroker broker = await MosquittoBroker.StartAsync();
        await using (FarmMqttClient publisher = await MqttTestClients.ConnectAsync(broker, "pub"))
        {
            await publisher.PublishAsync(new MqttApplicationMessage { Topic = "farm/v1/s1/r1/desired", Payload = "{\"pool\":\"a\"}"u8.ToArray(), Retain = true });
        }

        await using FarmMqttClient late = await MqttTestClients.ConnectAsync(broker, "late");
        var received = new MqttMessageCollector(late);
        await late.SubscribeAsync("farm/v1/s1/r1/desired");
        Assert.True(await Eventually.TrueAsync(() => received.Messages.Count == 1, Wait));
        Assert.True(received.Messages[0].Retain);
        Assert.Equal("{\"pool\":\"a\"}", received.Texts[0]);
    }

    [Fact]
    public async Task Unsubscribed_topic_is_no_longer_delivered()
    {
        await using MosquittoBroker broker = await MosquittoBroker.StartAsync();
        await using FarmMqttClient client = await MqttTestClients.ConnectAsync(broker, "self");
        var received = new MqttMessageCollector(client);
        await client.SubscribeAsync("a/#");
        await client.PublishAsync(new MqttApplicationMessage { Topic = "a/1", Payload = "1"u8.ToArray() });
        Assert.True(await Eventually.TrueAsync(() => received.Messages.Count == 1, Wait));
        await client.UnsubscribeAsync(["a/#"]);
        await client.SubscribeAsync("marker");
        await client.PublishAsync(new MqttApplicationMessage { Topic = "a/2", Payload = "2"u8.ToArray() });
        await client.PublishAsync(new MqttApplicationMessage { Topic = "marker", Payload = "m"u8.ToArray() });

        // The marker is published after a/2 on the same connection, so once it arrives a/2 would have too.
        Assert.True(await Eventually.TrueAsync(() => received.Texts.Contains("m"), Wait));
        Assert.DoesNotContain("2", received.Texts);
    }

    [Fact]
    public async Task Wrong_password_is_a_typed_error_that_names_the_user_but_not_the_password()
    {
        string passwords = Path.Combine(Path.GetTempPath(), $"farm-passwd-{Guid.NewGuid():N}");
        await MosquittoBroker.WritePasswordFileAsync(passwords, [("controller", "right-horse-battery")]);
        await using MosquittoBroker broker = await MosquittoBroker.StartAsync($"allow_anonymous false\npassword_file {passwords}");
        await using var client = new FarmMqttClient(MqttTestClients.Options(broker, "c1").WithCredentials("controller", "wrong-staple-9").Build());

        var error = await Assert.ThrowsAsync<MqttConnectException>(() => client.ConnectAsync());
        Assert.Equal(MqttConnectReturnCode.NotAuthorized, error.ReturnCode);
        Assert.Contains("controller", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("wrong-staple-9", error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("wrong-staple-9", client.Options.ToString(), StringComparison.Ordinal);

        await using var good = new FarmMqttClient(MqttTestClients.Options(broker, "c2").WithCredentials("controller", "right-horse-battery").Build());
        await good.ConnectAsync();
        Assert.True(good.IsConnected);
        File.Delete(passwords);
    }

    [Fact]
    public async Task Anonymous_client_is_refused_when_the_broker_requires_credentials()
    {
        string passwords = Path.Combine(Path.GetTempPath(), $"farm-passwd-{Guid.NewGuid():N}");
        await MosquittoBroker.WritePasswordFileAsync(passwords, [("u", "p")]);
        await using MosquittoBroker broker = await MosquittoBroker.StartAsync($"allow_anonymous false\npassword_file {passwords}");
        await using var client = new FarmMqttClient(MqttTestClients.Options(broker, "anon").Build());
        var error = await Assert.ThrowsAsync<MqttConnectException>(() => client.ConnectAsync());
        Assert.Equal(MqttConnectReturnCode.NotAuthorized, error.ReturnCode);
        Assert.Contains("not authorized", error.Message, StringComparison.Ordinal);
        File.Delete(passwords);
    }

    [Fact]
    public async Task Unreachable_broker_is_a_communication_error_naming_the_endpoint()
    {
        int port = FreeTcpPort.Next();
        await using var client = new FarmMqttClient(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithClientId("x").Build());
        var error = await Assert.ThrowsAsync<MqttCommunicationException>(() => client.ConnectAsync());
        Assert.Contains($"127.0.0.1:{port}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_options_are_rejected_before_connecting_with_every_problem_listed()
    {
        var error = Assert.Throws<MqttConfigurationException>(() => new MqttClientOptionsBuilder()
            .WithTcpServer("", 70000)
            .WithCleanSession(false)
            .WithWillMessage(new MqttApplicationMessage { Topic = "farm/+/x" })
            .Build());
        Assert.Contains("Host is empty", error.Message, StringComparison.Ordinal);
        Assert.Contains("Port 70000", error.Message, StringComparison.Ordinal);
        Assert.Contains("persistent session", error.Message, StringComparison.Ordinal);
        Assert.Contains("wildcard", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invalid_topics_are_refused_locally()
    {
        await using MosquittoBroker broker = await MosquittoBroker.StartAsync();
        await using FarmMqttClient client = await MqttTestClients.ConnectAsync(broker, "c");
        await Assert.ThrowsAsync<ArgumentException>(() => client.PublishAsync(new MqttApplicationMessage { Topic = "farm/#" }));
        await Assert.ThrowsAsync<ArgumentException>(() => client.SubscribeAsync("farm/#/x"));
        Assert.True(client.IsConnected);
    }

    [Fact]
    public async Task Disconnected_client_refuses_to_connect_again_with_a_clear_message()
    {
        await using MosquittoBroker broker = await MosquittoBroker.StartAsync();
        await using FarmMqttClient client = await MqttTestClients.ConnectAsync(broker, "once");
        await Assert.ThrowsAsync<InvalidOperationException>(() => client.ConnectAsync());
        await client.DisconnectAsync();
        Assert.False(client.IsConnected);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => client.ConnectAsync());
        Assert.Contains("Create a new FarmMqttClient", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Qos0_publish_without_a_connection_says_not_connected()
    {
        await using var client = new FarmMqttClient(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", 1).WithClientId("x").Build());
        await Assert.ThrowsAsync<MqttClientNotConnectedException>(() => client.PublishAsync(new MqttApplicationMessage { Topic = "a", Qos = MqttQualityOfServiceLevel.AtMostOnce }));
    }

    [Fact]
    public async Task Frozen_broker_is_detected_by_keep_alive_and_the_client_reconnects_when_it_thaws()
    {
        await using MosquittoBroker broker = await MosquittoBroker.StartAsync();
        await using var client = new FarmMqttClient(MqttTestClients.Options(broker, "ka").WithKeepAlivePeriod(TimeSpan.FromSeconds(1)).WithAutoReconnect(TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(500)).Build());
        var reasons = new System.Collections.Concurrent.ConcurrentQueue<string>();
        client.DisconnectedAsync += e =>
        {
            reasons.Enqueue(e.Exception?.Message ?? "(none)");
            return Task.CompletedTask;
        };
        await client.ConnectAsync();
        broker.Pause();
        try
        {
            Assert.True(await Eventually.TrueAsync(() => !reasons.IsEmpty, TimeSpan.FromSeconds(5)), "dead link not detected");
            Assert.Contains("PINGREQ", reasons.First(), StringComparison.Ordinal);
        }
        finally
        {
            broker.Resume();
        }

        Assert.True(await Eventually.TrueAsync(() => client.IsConnected, Wait));
        Assert.True(client.ReconnectCount >= 1);
    }

    [Fact]
    public async Task Qos1_stream_survives_a_broker_restart_with_nothing_lost_and_duplicates_dropped_by_seq()
    {
        await using MosquittoBroker broker = await MosquittoBroker.StartAsync();
        var fast = (MqttClientOptionsBuilder b) => b.WithCleanSession(false).WithAutoReconnect(TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(300));
        await using FarmMqttClient subscriber = await MqttTestClients.ConnectAsync(broker, "restart-sub", fast);
        var filter = new DuplicateFilter();
        var accepted = new System.Collections.Concurrent.ConcurrentQueue<long>();
        var raw = new System.Collections.Concurrent.ConcurrentQueue<string>();
        subscriber.ApplicationMessageReceivedAsync += e =>
        {
            var message = JsonSerializer.Deserialize(e.ApplicationMessage.Payload.Span, FarmJsonContext.Default.FarmEventPayload)!;
            raw.Enqueue(message.Seq + (e.ApplicationMessage.Dup ? "d" : string.Empty));
            if (filter.Accept(e.ApplicationMessage.Topic, message))
            {
                accepted.Enqueue(message.Seq);
            }

            return Task.CompletedTask;
        };
        string topic = FarmTopics.Events("s1", "r1");
        await subscriber.SubscribeAsync(topic);
        await using FarmMqttClient publisher = await MqttTestClients.ConnectAsync(broker, "restart-pub", b => fast(b).WithMaxInflight(64));
        var sequence = new PublisherSequence(Path.Combine(broker.Directory, "agent-s1-r1.seq"));

        const int total = 3000;
        var acks = new List<Task>();
        for (int i = 0; i < total; i++)
        {
            var payload = new FarmEventPayload
            {
                Publisher = "agent-s1-r1",
                Seq = sequence.Next(),
                Timestamp = DateTimeOffset.UtcNow,
                Site = "s1",
                Rack = "r1",
                Kind = "watchdog",
                Severity = "info",
                Action = "tick",
            };
            acks.Add(publisher.PublishAsync(new MqttApplicationMessage { Topic = topic, Payload = JsonSerializer.SerializeToUtf8Bytes(payload, FarmJsonContext.Default.FarmEventPayload) }));
            if (i == total / 3)
            {
                await broker.RestartAsync();
            }
        }

        await Task.WhenAll(acks).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(await Eventually.TrueAsync(() => accepted.Count == total, TimeSpan.FromSeconds(20)), $"accepted {accepted.Count} of {total}: " + "first received: " + string.Join(",", raw.Take(300)));

        // Every seq exactly once and in order; whatever the broker re-delivered was dropped by the filter.
        Assert.Equal(Enumerable.Range(1, total).Select(n => (long)n), accepted);
        Assert.True(publisher.ReconnectCount >= 1);
        Assert.True(subscriber.ReconnectCount >= 1);
    }
}
