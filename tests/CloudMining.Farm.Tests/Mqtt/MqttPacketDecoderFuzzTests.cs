using CloudMining.Farm.Mqtt.Formatter;
using CloudMining.Farm.Mqtt.Packets;
using Xunit;

namespace CloudMining.Farm.Tests.Mqtt;

public sealed class MqttPacketDecoderFuzzTests
{
    private static readonly byte[][] Seeds =
    [
        MqttPacketEncoder.ToArray(new MqttConnectPacket { ClientId = "c", Username = "u", Password = "p"u8.ToArray(), WillTopic = "w/t", WillPayload = "x"u8.ToArray(), WillQos = MqttQualityOfServiceLevel.AtLeastOnce, KeepAliveSeconds = 30 }),
        MqttPacketEncoder.ToArray(new MqttConnAckPacket(false, MqttConnectReturnCode.Accepted)),
        MqttPacketEncoder.ToArray(new MqttPublishPacket { Topic = "farm/v1/s1/r1/miners/m1/telemetry", Payload = new byte[300], Qos = MqttQualityOfServiceLevel.AtLeastOnce, PacketIdentifier = 9 }),
        MqttPacketEncoder.ToArray(new MqttPublishPacket { Topic = "a", Payload = "{}"u8.ToArray() }),
        MqttPacketEncoder.ToArray(new MqttSubscribePacket(3, [new MqttTopicFilter("farm/+/x/#")])),
        MqttPacketEncoder.ToArray(new MqttSubAckPacket(3, [MqttSubscribeReturnCode.GrantedQos1, MqttSubscribeReturnCode.Failure])),
        MqttPacketEncoder.ToArray(new MqttUnsubscribePacket(4, ["a/b"])),
        MqttPacketEncoder.ToArray(new MqttPubAckPacket(5)),
        MqttPacketEncoder.ToArray(MqttPingRespPacket.Instance),
    ];

    [Fact]
    public void Every_proper_prefix_of_a_valid_packet_asks_for_more_bytes()
    {
        foreach (byte[] seed in Seeds)
        {
            for (int length = 0; length < seed.Length; length++)
            {
                Assert.False(MqttPacketDecoder.TryDecode(seed.AsSpan(0, length), out _, out int consumed), $"prefix {length} of {Convert.ToHexString(seed)}");
                Assert.Equal(0, consumed);
            }

            Assert.True(MqttPacketDecoder.TryDecode(seed, out MqttPacket? packet, out int all));
            Assert.Equal(seed.Length, all);
            Assert.Equal(seed, MqttPacketEncoder.ToArray(packet!));
        }
    }

    [Fact]
    public void Twenty_thousand_seeded_mutations_yield_packets_or_typed_errors_only()
    {
        var random = new Random(20261121);
        int decoded = 0;
        int rejected = 0;
        for (int i = 0; i < 20_000; i++)
        {
            byte[] input = Mutate(Seeds[random.Next(Seeds.Length)], random);
            try
            {
                ReadOnlySpan<byte> rest = input;
                while (MqttPacketDecoder.TryDecode(rest, out MqttPacket? packet, out int consumed, maxPacketSize: 64 * 1024))
                {
                    Assert.NotNull(packet);
                    Assert.InRange(consumed, 2, rest.Length);
                    decoded++;

                    // Whatever decodes must encode again without throwing: the packet records are always consistent.
                    MqttPacketEncoder.ToArray(packet);
                    rest = rest[consumed..];
                }
            }
            catch (MqttProtocolException)
            {
                rejected++;
            }
        }

        // Both outcomes must actually occur, or the mutations are not exercising the decoder.
        Assert.True(decoded > 1000, $"decoded {decoded}");
        Assert.True(rejected > 1000, $"rejected {rejected}");
    }

    private static byte[] Mutate(byte[] seed, Random random)
    {
        var bytes = new List<byte>(seed);
        int edits = random.Next(1, 4);
        for (int e = 0; e < edits; e++)
        {
            switch (random.Next(5))
            {
                case 0 when bytes.Count > 0:
                    bytes[random.Next(bytes.Count)] ^= (byte)(1 << random.Next(8));
                    break;
                case 1 when bytes.Count > 0:
                    bytes[random.Next(bytes.Count)] = (byte)random.Next(256);
                    break;
                case 2 when bytes.Count > 1:
                    int cut = random.Next(1, bytes.Count);
                    bytes.RemoveRange(cut, bytes.Count - cut);
                    break;
                case 3:
                    bytes.Insert(random.Next(bytes.Count + 1), (byte)random.Next(256));
                    break;
                default:
                    bytes.AddRange(seed);
                    break;
            }
        }

        return [.. bytes];
    }
}
