using System.Buffers;
using CloudMining.Farm.Mqtt.Adapter;
using CloudMining.Farm.Mqtt.Client;
using CloudMining.Farm.Mqtt.Exceptions;
using CloudMining.Farm.Mqtt.Formatter;
using CloudMining.Farm.Mqtt.Messages;
using CloudMining.Farm.Tests.Infrastructure;
using Microsoft.Extensions.Logging;
using Xunit;

namespace CloudMining.Farm.Tests.Mqtt;

/// <summary>
/// A PUBLISH over the client's packet limit — here from a broker without max_packet_size — is read past, acknowledged
/// once and logged once; it never reaches the handler and never loops the client through reconnects.
/// </summary>
[Trait("Category", "Integration")]
public sealed class MqttOversizedMessageTests
{
    private const int Limit = 64 * 1024;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Oversized_publish_in_a_persistent_session_is_skipped_and_acknowledged_once_not_looped()
    {
        await using MosquittoBroker broker = await MosquittoBroker.StartAsync();
        using var logs = new InMemoryLoggerProvider();
        var subscriberOptions = MqttTestClients.Options(broker, "bounded-sub").WithCleanSession(false).WithMaxPacketSize(Limit)
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
    public async Task Publishing_over_the_limit_is_refused_before_it_is_sent()
    {
        await using MosquittoBroker broker = await MosquittoBroker.StartAsync();
        await using FarmMqttClient client = await MqttTestClients.ConnectAsync(broker, "bounded-refuse", b => b.WithMaxPacketSize(Limit));
        var error = await Assert.ThrowsAsync<MqttMessageTooLargeException>(() => client.PublishAsync(Message("big/refused", new byte[Limit], retain: true)));
        Assert.Contains($"the packet limit is {Limit} bytes", error.Message, StringComparison.Ordinal);
        Assert.Contains("big/refused", error.Message, StringComparison.Ordinal);

        // Exactly at the limit still goes out: the limit counts the whole packet.
        int fits = Limit - (int)(MqttPacketEncoder.PublishPacketSize("big/fits", Limit, MqttQualityOfServiceLevel.AtLeastOnce) - Limit);
        Assert.Equal(Limit, MqttPacketEncoder.PublishPacketSize("big/fits", fits, MqttQualityOfServiceLevel.AtLeastOnce));
        await client.PublishAsync(Message("big/fits", new byte[fits], retain: false));
        Assert.True(client.IsConnected);
    }

    [Fact]
    public async Task Adapter_reads_past_an_oversized_publish_and_returns_the_next_packet()
    {
        var wire = new ArrayBufferWriter<byte>();
        MqttPacketEncoder.EncodePublish("t/huge", new byte[300_000], MqttQualityOfServiceLevel.AtLeastOnce, retain: true, dup: true, packetIdentifier: 77, wire);
        MqttPacketEncoder.Encode(MqttPingRespPacket.Instance, wire);
        MqttPacketEncoder.EncodePublish("t/small", "ok"u8, MqttQualityOfServiceLevel.AtMostOnce, retain: false, dup: false, packetIdentifier: 0, wire);
        await using var adapter = new MqttChannelAdapter(new TrickleStream(wire.WrittenMemory.ToArray(), 1000), Limit);

        var skipped = Assert.IsType<MqttOversizedPublishPacket>(await adapter.ReceivePacketAsync(CancellationToken.None));
        Assert.Equal(("t/huge", MqttQualityOfServiceLevel.AtLeastOnce, (ushort)77, true, true), (skipped.Topic, skipped.Qos, skipped.PacketIdentifier, skipped.Retain, skipped.Dup));
        Assert.Equal(MqttPacketEncoder.PublishPacketSize("t/huge", 300_000, MqttQualityOfServiceLevel.AtLeastOnce), skipped.Size);
        Assert.IsType<MqttPingRespPacket>(await adapter.ReceivePacketAsync(CancellationToken.None));
        var small = Assert.IsType<MqttPublishPacket>(await adapter.ReceivePacketAsync(CancellationToken.None));
        Assert.Equal("ok"u8.ToArray(), small.Payload.ToArray());
        Assert.Null(await adapter.ReceivePacketAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Adapter_refuses_an_oversized_packet_that_is_not_a_publish()
    {
        byte[] suback = [0x90, 0xFF, 0xFF, 0x7F, 0x00, 0x01];
        await using var adapter = new MqttChannelAdapter(new MemoryStream(suback), Limit);
        var error = await Assert.ThrowsAsync<MqttProtocolException>(async () => await adapter.ReceivePacketAsync(CancellationToken.None));
        Assert.Contains("only a PUBLISH may be skipped", error.Message, StringComparison.Ordinal);
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

    /// <summary>A read-only stream that hands out at most <c>chunk</c> bytes per read, like a socket.</summary>
    private sealed class TrickleStream(byte[] data, int chunk) : MemoryStream(data)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, chunk)], cancellationToken);
    }
}
