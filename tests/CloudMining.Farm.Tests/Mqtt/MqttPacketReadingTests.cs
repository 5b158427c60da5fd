using CloudMining.Farm.Mqtt.Client;
using CloudMining.Farm.Mqtt.Messages;
using CloudMining.Farm.Tests.Infrastructure;
using MQTTnet.Formatter;
using Xunit;

namespace CloudMining.Farm.Tests.Mqtt;

/// <summary>
/// The client reads packets from a 64 KB buffer filled by one socket receive (PacketReadingChannelAdapter): packets
/// that straddle two receives, remaining-length fields of every width, packets larger than the buffer and long bursts
/// of small ones must all arrive whole, in order, byte for byte, under both protocol versions.
/// </summary>
[Trait("Category", "Integration")]
public sealed class MqttPacketReadingTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    // Remaining-length widths 1–3 bytes and their edges, the buffer's size and just past it, several buffers, near the 1 MiB limit.
    private static readonly int[] Sizes = [0, 1, 100, 127, 128, 16_000, 16_384, 65_000, 65_536, 65_600, 200_000, 1_000_000];

    [Theory]
    [InlineData(MqttProtocolVersion.V500)]
    [InlineData(MqttProtocolVersion.V311)]
    public async Task Messages_of_every_size_and_long_bursts_arrive_whole_and_in_order(MqttProtocolVersion version)
    {
        await using MosquittoBroker broker = await MosquittoBroker.StartAsync();
        await using FarmMqttClient subscriber = await MqttTestClients.ConnectAsync(broker, "reader", o => o.WithProtocolVersion(version));
        var received = new MqttMessageCollector(subscriber);
        await subscriber.SubscribeAsync("bench/#", MqttQualityOfServiceLevel.AtLeastOnce);
        await using FarmMqttClient publisher = await MqttTestClients.ConnectAsync(broker, "writer", o => o.WithProtocolVersion(version));

        // Large and small interleaved, then a burst of 3,000 small messages of varying size (many packets per receive,
        // every offset of a packet boundary within the buffer), all at QoS 1 from one connection, so the order is kept.
        var sent = new List<MqttApplicationMessage>();
        for (int i = 0; i < Sizes.Length; i++)
        {
            sent.Add(Message($"bench/large/{i}", Sizes[i], seed: i));
            sent.Add(Message($"bench/small/{i}", 37 + i, seed: 1000 + i));
        }

        for (int i = 0; i < 3_000; i++)
        {
            sent.Add(Message($"bench/burst/{i % 7}", 50 + (i * 31 % 1_900), seed: 5000 + i));
        }

        await publisher.PublishManyAsync([.. sent.Select(m => m with { Qos = MqttQualityOfServiceLevel.AtLeastOnce })]);

        Assert.True(await Eventually.TrueAsync(() => received.Messages.Count >= sent.Count, Wait), $"{received.Messages.Count} of {sent.Count} arrived");
        IReadOnlyList<MqttApplicationMessage> got = received.Messages;
        Assert.Equal(sent.Count, got.Count);
        for (int i = 0; i < sent.Count; i++)
        {
            Assert.Equal(sent[i].Topic, got[i].Topic);
            Assert.True(sent[i].Payload.Span.SequenceEqual(got[i].Payload.Span), $"message {i} on {sent[i].Topic} ({sent[i].Payload.Length} bytes) arrived as {got[i].Payload.Length} different bytes");
        }
    }

    private static MqttApplicationMessage Message(string topic, int size, int seed)
    {
        var payload = new byte[size];
        new Random(seed).NextBytes(payload);
        return new MqttApplicationMessage { Topic = topic, Payload = payload };
    }
}
