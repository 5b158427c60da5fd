using CloudMining.Farm.Mqtt.Formatter;
using CloudMining.Farm.Mqtt.Packets;
using Xunit;

namespace CloudMining.Farm.Tests.Mqtt;

public sealed class MqttPacketCodecTests
{
    [Fact]
    public void Connect_encodes_to_the_bytes_in_the_spec_layout()
    {
        byte[] bytes = MqttPacketEncoder.ToArray(new MqttConnectPacket { ClientId = "abc", CleanSession = true, KeepAliveSeconds = 60 });
        Assert.Equal(Convert.FromHexString("100F00044D5154540402003C0003616263"), bytes);
    }

    [Fact]
    public void Connect_with_will_and_credentials_round_trips_and_hides_the_password()
    {
        var packet = new MqttConnectPacket
        {
            ClientId = "agent-s1-r1",
            Username = "agent-s1-r1",
            Password = "s3cret"u8.ToArray(),
            CleanSession = false,
            KeepAliveSeconds = 15,
            WillTopic = "farm/v1/s1/r1/status",
            WillPayload = "{\"state\":\"offline\"}"u8.ToArray(),
            WillQos = MqttQualityOfServiceLevel.AtLeastOnce,
            WillRetain = true,
        };
        byte[] bytes = MqttPacketEncoder.ToArray(packet);
        Assert.Equal(0xEC, bytes[9]); // user, password, will retain, will QoS 1, will flag; no clean session
        var decoded = Assert.IsType<MqttConnectPacket>(MqttPacketDecoder.DecodeSingle(bytes));
        Assert.Equal(packet.ClientId, decoded.ClientId);
        Assert.Equal(packet.Username, decoded.Username);
        Assert.Equal("s3cret"u8.ToArray(), decoded.Password!.Value.ToArray());
        Assert.False(decoded.CleanSession);
        Assert.Equal(15, decoded.KeepAliveSeconds);
        Assert.Equal(packet.WillTopic, decoded.WillTopic);
        Assert.Equal(packet.WillPayload.ToArray(), decoded.WillPayload.ToArray());
        Assert.Equal(MqttQualityOfServiceLevel.AtLeastOnce, decoded.WillQos);
        Assert.True(decoded.WillRetain);
        Assert.DoesNotContain("s3cret", decoded.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Publish_qos1_encodes_exactly_and_round_trips()
    {
        var packet = new MqttPublishPacket { Topic = "a/b", Payload = "hi"u8.ToArray(), Qos = MqttQualityOfServiceLevel.AtLeastOnce, PacketIdentifier = 10 };
        byte[] bytes = MqttPacketEncoder.ToArray(packet);
        Assert.Equal(Convert.FromHexString("32090003612F62000A6869"), bytes);
        var decoded = Assert.IsType<MqttPublishPacket>(MqttPacketDecoder.DecodeSingle(bytes));
        Assert.Equal("a/b", decoded.Topic);
        Assert.Equal(10, decoded.PacketIdentifier);
        Assert.Equal("hi"u8.ToArray(), decoded.Payload.ToArray());
    }

    [Fact]
    public void Publish_with_dup_and_retain_sets_the_header_flags()
    {
        byte[] bytes = MqttPacketEncoder.ToArray(new MqttPublishPacket { Topic = "t", Qos = MqttQualityOfServiceLevel.AtLeastOnce, PacketIdentifier = 1, Dup = true, Retain = true });
        Assert.Equal(0x3B, bytes[0]);
    }

    [Theory]
    [InlineData(127, "7F")]
    [InlineData(128, "8001")]
    [InlineData(16_383, "FF7F")]
    [InlineData(16_384, "808001")]
    [InlineData(2_097_152, "80808001")]
    public void Remaining_length_uses_the_variable_byte_encoding(int remaining, string expectedHex)
    {
        // Topic "t" (3 bytes with its length) + payload fills the body to the wanted remaining length.
        byte[] bytes = MqttPacketEncoder.ToArray(new MqttPublishPacket { Topic = "t", Payload = new byte[remaining - 3] });
        Assert.Equal(expectedHex, Convert.ToHexString(bytes, 1, expectedHex.Length / 2));
        Assert.Equal(1 + (expectedHex.Length / 2) + remaining, bytes.Length);
        var decoded = Assert.IsType<MqttPublishPacket>(MqttPacketDecoder.DecodeSingle(bytes));
        Assert.Equal(remaining - 3, decoded.Payload.Length);
    }

    [Fact]
    public void Subscribe_and_suback_with_a_failure_code_round_trip()
    {
        byte[] subscribe = MqttPacketEncoder.ToArray(new MqttSubscribePacket(1, [new MqttTopicFilter("a/#", MqttQualityOfServiceLevel.AtLeastOnce)]));
        Assert.Equal(Convert.FromHexString("82080001" + "0003612F23" + "01"), subscribe);
        byte[] suback = Convert.FromHexString("9004000101" + "80");
        var decoded = Assert.IsType<MqttSubAckPacket>(MqttPacketDecoder.DecodeSingle(suback));
        Assert.Equal([MqttSubscribeReturnCode.GrantedQos1, MqttSubscribeReturnCode.Failure], decoded.ReturnCodes);
        Assert.Equal(suback, MqttPacketEncoder.ToArray(decoded));
    }

    [Theory]
    [InlineData("C000", typeof(MqttPingReqPacket))]
    [InlineData("D000", typeof(MqttPingRespPacket))]
    [InlineData("E000", typeof(MqttDisconnectPacket))]
    [InlineData("40020007", typeof(MqttPubAckPacket))]
    [InlineData("62020007", typeof(MqttPubRelPacket))]
    [InlineData("B0020007", typeof(MqttUnsubAckPacket))]
    [InlineData("20020105", typeof(MqttConnAckPacket))]
    [InlineData("A206000700026162", typeof(MqttUnsubscribePacket))]
    public void Small_packets_decode_and_re_encode_to_the_same_bytes(string hex, Type expected)
    {
        byte[] bytes = Convert.FromHexString(hex);
        MqttPacket packet = MqttPacketDecoder.DecodeSingle(bytes);
        Assert.IsType(expected, packet);
        Assert.Equal(bytes, MqttPacketEncoder.ToArray(packet));
    }

    [Fact]
    public void Connack_return_code_5_is_not_authorized()
    {
        var ack = Assert.IsType<MqttConnAckPacket>(MqttPacketDecoder.DecodeSingle([0x20, 0x02, 0x01, 0x05]));
        Assert.True(ack.SessionPresent);
        Assert.Equal(MqttConnectReturnCode.NotAuthorized, ack.ReturnCode);
    }

    [Theory]
    [InlineData("3600", "QoS 3")]
    [InlineData("38050003612F62", "DUP")]
    [InlineData("C100", "flags")]
    [InlineData("C00100", "remaining length")]
    [InlineData("F000", "reserved")]
    [InlineData("00", null)]
    [InlineData("30FFFFFFFF01", "4 bytes")]
    [InlineData("32050001610000", "identifier is 0")]
    [InlineData("3005000161FF", null)]
    [InlineData("300500022B2B00", "wildcard")]
    [InlineData("30050003C3", "truncated")]
    [InlineData("3004000200", null)]
    [InlineData("9003000181", "return code")]
    [InlineData("2002000A", "return code 10")]
    public void Malformed_packets_raise_a_typed_protocol_error(string hex, string? expectedFragment)
    {
        byte[] bytes = Convert.FromHexString(hex);
        var error = Assert.Throws<MqttProtocolException>(() => MqttPacketDecoder.DecodeSingle(bytes));
        if (expectedFragment is not null)
        {
            Assert.Contains(expectedFragment, error.Message, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public void Invalid_utf8_in_a_topic_is_a_protocol_error()
    {
        byte[] bytes = [0x30, 0x04, 0x00, 0x02, 0xC3, 0x28];
        var error = Assert.Throws<MqttProtocolException>(() => MqttPacketDecoder.DecodeSingle(bytes));
        Assert.Contains("UTF-8", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Packet_above_the_size_limit_is_refused_before_buffering_it()
    {
        byte[] header = [0x30, 0xFF, 0xFF, 0x7F];
        var error = Assert.Throws<MqttProtocolException>(() => MqttPacketDecoder.TryDecode(header, out _, out _, maxPacketSize: 1024));
        Assert.Contains("1024", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("farm/v1/+/r1/status", null)]
    [InlineData("farm/v1/#", null)]
    [InlineData("#", null)]
    [InlineData("+", null)]
    [InlineData("farm/#/x", "#")]
    [InlineData("farm/v1#", "#")]
    [InlineData("farm/a+/x", "+")]
    [InlineData("", "empty")]
    public void Topic_filters_follow_the_wildcard_rules(string filter, string? problemFragment)
    {
        string? problem = MqttTopicValidator.TopicFilterProblem(filter);
        if (problemFragment is null)
        {
            Assert.Null(problem);
        }
        else
        {
            Assert.Contains(problemFragment, problem, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("farm/v1/+/r1/status", "farm/v1/s1/r1/status", true)]
    [InlineData("farm/v1/#", "farm/v1", true)]
    [InlineData("farm/v1/+", "farm/v1/s1/r1", false)]
    [InlineData("#", "$SYS/broker", false)]
    [InlineData("farm/v1/+/capacity", "farm/v1/s1/capacity", true)]
    public void Topic_matching_follows_mqtt_semantics(string filter, string topic, bool matches) =>
        Assert.Equal(matches, MqttTopicValidator.Matches(filter, topic));
}
