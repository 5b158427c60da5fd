using CloudMining.Farm.Mqtt.Client;
using CloudMining.Farm.Mqtt.Exceptions;
using CloudMining.Farm.Mqtt.Messages;
using CloudMining.Farm.Tests.Infrastructure;
using Microsoft.Extensions.Logging;
using MQTTnet.Formatter;
using Xunit;

namespace CloudMining.Farm.Tests.Mqtt;

/// <summary>
/// A PUBLISH over the client's packet limit never reaches the handler and never loops the client through reconnects:
/// with MQTT 5 the client announces its Maximum Packet Size at CONNECT and the broker does not send it at all; with
/// MQTT 3.1.1 (no such announcement) it is acknowledged once, counted and logged once.
/// </summary>
[Trait("Category", "Integration")]
public sealed class MqttOversizedMessageTests
{
    private const int Limit = 64 * 1024;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Mqtt311_oversized_publish_in_a_persistent_session_is_skipped_and_acknowledged_once_not_looped()
    {
        await using MosquittoBroker broker = await MosquittoBroker.StartAsync();
        using var logs = new InMemoryLoggerProvider();
        var subscriberOptions = MqttTestClients.Options(broker, "bounded-sub").WithProtocolVersion(MqttProtocolVersion.V311).WithCleanSession(false).WithMaxPacketSize(Limit)
            .WithAutoReconnect(TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(200)).Build();
        await using var subscriber = new FarmMqttClient(subscriberOptions, logs.CreateLogger<FarmMqttClient>());
        var seen = new MqttMessageCollector(subscriber);
        await subscriber.ConnectAsync();
        await subscriber.SubscribeAsync("big/#");
        await using FarmMqttClient publisher = await MqttTestClients.ConnectAsync(broker, "bounded-pub", b => b.WithMaxPacketSize(4 * 1024 * 1024));

        await publisher.PublishAsync(Message("big/one", new byte[Limit * 3], retain: false));
        await publisher.PublishAsync(Message("big/retained", new byte[Limit + 1], retain: true));
        await publisher.PublishAsync(Message("big/after", "small"u8.ToArray(), retain: false));

        Assert.True(await Eventually.TrueAsync(() => seen.Texts.Contains("small"), Wait));
        Assert.Equal(2, subscriber.OversizedSkippedCount);
        Assert.Equal(0, subscriber.ReconnectCount);
        Assert.Equal(["big/after"], seen.Messages.Select(m => m.Topic));
        LogRecordsAreBounded(logs, expectedLines: 2);

        // Acknowledged, so neither the persistent session nor the retained store gives them back after a reconnect;
        // the retained one is only delivered again on a new SUBSCRIBE, and then skipped again.
        await subscriber.AbortConnectionAsync();
        Assert.True(await Eventually.TrueAsync(() => subscriber.IsConnected && subscriber.ReconnectCount == 1, Wait));
        await publisher.PublishAsync(Message("big/after", "small-2"u8.ToArray(), retain: false));
        Assert.True(await Eventually.TrueAsync(() => seen.Texts.Contains("small-2"), Wait));
        Assert.Equal(2, subscriber.OversizedSkippedCount);
        Assert.Equal(1, subscriber.ReconnectCount);
        Assert.True(subscriber.IsConnected);
    }

    [Fact]
    public async Task Mqtt5_broker_never_sends_a_packet_over_the_announced_maximum_packet_size()
    {
        await using MosquittoBroker broker = await MosquittoBroker.StartAsync("allow_anonymous true\nlog_type all");
        using var logs = new InMemoryLoggerProvider();
        var subscriberOptions = MqttTestClients.Options(broker, "announced-sub").WithCleanSession(false).WithMaxPacketSize(Limit)
            .WithAutoReconnect(TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(200)).Build();
        await using var subscriber = new FarmMqttClient(subscriberOptions, logs.CreateLogger<FarmMqttClient>());
        var seen = new MqttMessageCollector(subscriber);
        await subscriber.ConnectAsync();
        await subscriber.SubscribeAsync("big/#");
        await using FarmMqttClient publisher = await MqttTestClients.ConnectAsync(broker, "announced-pub", b => b.WithMaxPacketSize(4 * 1024 * 1024));

        await publisher.PublishAsync(Message("big/one", new byte[Limit * 3], retain: false));
        await publisher.PublishAsync(Message("big/retained", new byte[Limit + 1], retain: true));
        await publisher.PublishAsync(Message("big/after", "small"u8.ToArray(), retain: false));

        Assert.True(await Eventually.TrueAsync(() => seen.Texts.Contains("small"), Wait));
        Assert.Equal(["big/after"], seen.Messages.Select(m => m.Topic));

        // The broker kept them from us (it knows our limit from CONNECT): nothing to skip, no reconnect.
        Assert.Equal(0, subscriber.OversizedSkippedCount);
        Assert.Equal(0, subscriber.ReconnectCount);
        Assert.True(subscriber.IsConnected);
    }

    [Fact]
    public async Task Publishing_over_the_limit_is_refused_before_it_is_sent()
    {
        await using MosquittoBroker broker = await MosquittoBroker.StartAsync();
        await using FarmMqttClient client = await MqttTestClients.ConnectAsync(broker, "bounded-refuse", b => b.WithMaxPacketSize(Limit));
        var error = await Assert.ThrowsAsync<MqttMessageTooLargeException>(() => client.PublishAsync(Message("big/refused", new byte[Limit], retain: true)));
        Assert.Contains($"the packet limit is {Limit} bytes", error.Message, StringComparison.Ordinal);
        Assert.Contains("big/refused", error.Message, StringComparison.Ordinal);

        // Exactly at the limit still goes out: the limit counts the whole packet.
        int fits = Limit - (int)(MqttPublishPacketSize.Of("big/fits", Limit, MqttQualityOfServiceLevel.AtLeastOnce, MqttProtocolVersion.V500) - Limit);
        Assert.Equal(Limit, MqttPublishPacketSize.Of("big/fits", fits, MqttQualityOfServiceLevel.AtLeastOnce, MqttProtocolVersion.V500));
        await client.PublishAsync(Message("big/fits", new byte[fits], retain: false));
        Assert.True(client.IsConnected);
    }

    private static void LogRecordsAreBounded(InMemoryLoggerProvider logs, int expectedLines)
    {
        InMemoryLoggerProvider.LogRecord[] skipped = [.. logs.Records.Where(r => r.Message.StartsWith("Skipped a ", StringComparison.Ordinal))];
        Assert.Equal(expectedLines, skipped.Length);
        Assert.All(skipped, r => Assert.Equal(LogLevel.Error, r.Level));
        Assert.Contains(skipped, r => r.Message.Contains("big/one", StringComparison.Ordinal) && r.Message.Contains($"{Limit}-byte packet limit", StringComparison.Ordinal));
    }

    private static MqttApplicationMessage Message(string topic, byte[] payload, bool retain) =>
        new() { Topic = topic, Payload = payload, Qos = MqttQualityOfServiceLevel.AtLeastOnce, Retain = retain };
}
