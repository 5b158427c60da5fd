using System.Buffers.Binary;
using CloudMining.Farm.Mqtt.Packets;

namespace CloudMining.Farm.Mqtt.Formatter;

/// <summary>
/// Reads MQTT 3.1.1 packets from a buffer: pure code, no sockets. Every rule the spec says a receiver must enforce
/// is checked, and anything malformed becomes an <see cref="MqttProtocolException"/> — never another exception.
/// </summary>
public static class MqttPacketDecoder
{
    /// <summary>
    /// Default ceiling of the pure decoder (a broker could send up to 256 MB). Clients use their own, smaller
    /// MqttClientOptions.MaxPacketSize (the farm's 1 MiB) and skip larger PUBLISH packets instead of failing.
    /// </summary>
    public const int DefaultMaxPacketSize = 16 * 1024 * 1024;

    /// <summary>
    /// Decodes the first packet in <paramref name="buffer"/>. Returns false when more bytes are needed;
    /// <paramref name="consumed"/> is then 0.
    /// </summary>
    public static bool TryDecode(ReadOnlySpan<byte> buffer, out MqttPacket? packet, out int consumed, int maxPacketSize = DefaultMaxPacketSize)
    {
        packet = null;
        consumed = 0;
        if (!TryReadFixedHeader(buffer, out int headerLength, out int remaining))
        {
            return false;
        }

        if (remaining > maxPacketSize)
        {
            throw new MqttProtocolException($"Packet of {remaining} bytes exceeds the {maxPacketSize}-byte limit.");
        }

        if (buffer.Length - headerLength < remaining)
        {
            return false;
        }

        packet = DecodeBody(buffer[0], buffer.Slice(headerLength, remaining));
        consumed = headerLength + remaining;
        return true;
    }

    /// <summary>
    /// Reads the fixed header (type byte and remaining length) at the start of <paramref name="buffer"/>; false when
    /// more bytes are needed. The whole packet is <paramref name="headerLength"/> + <paramref name="remainingLength"/> bytes.
    /// </summary>
    public static bool TryReadFixedHeader(ReadOnlySpan<byte> buffer, out int headerLength, out int remainingLength)
    {
        headerLength = 0;
        remainingLength = 0;
        if (buffer.Length < 2)
        {
            return false;
        }

        int remaining = 0;
        int multiplier = 1;
        int pos = 1;
        while (true)
        {
            if (pos > 4)
            {
                throw new MqttProtocolException("Remaining length uses more than 4 bytes (MQTT 3.1.1 section 2.2.3); the stream is not MQTT or is corrupt.");
            }

            if (pos >= buffer.Length)
            {
                return false;
            }

            byte digit = buffer[pos++];
            remaining += (digit & 0x7F) * multiplier;
            multiplier *= 128;
            if ((digit & 0x80) == 0)
            {
                // A non-minimal encoding such as 0x80 0x00 is still well-formed in 3.1.1; we accept it like brokers do.
                break;
            }
        }

        headerLength = pos;
        remainingLength = remaining;
        return true;
    }

    /// <summary>
    /// Decodes only the head of a PUBLISH too large to buffer: topic, flags and packet id from the first bytes of its
    /// body (<paramref name="bodyStart"/>, at most <paramref name="remainingLength"/> of them). False when more bytes
    /// are needed; at most 2 + 65,535 + 2 bytes ever are. <paramref name="consumed"/> counts the body bytes read.
    /// </summary>
    public static bool TryDecodePublishHead(byte header, ReadOnlySpan<byte> bodyStart, int remainingLength, out MqttOversizedPublishPacket? packet, out int consumed)
    {
        packet = null;
        consumed = 0;
        if ((MqttControlPacketType)(header >> 4) != MqttControlPacketType.Publish)
        {
            throw new MqttProtocolException($"A {(MqttControlPacketType)(header >> 4)} packet of {remainingLength} bytes is over the limit; only a PUBLISH may be skipped.");
        }

        int flags = header & 0x0F;
        int qos = (flags >> 1) & 3;
        int needed = 2 + (qos == 0 ? 0 : 2);
        ReadOnlySpan<byte> body = bodyStart[..Math.Min(bodyStart.Length, remainingLength)];
        if (body.Length < 2)
        {
            return remainingLength < 2 ? throw new MqttProtocolException("PUBLISH is too short to hold its topic length.") : false;
        }

        needed += BinaryPrimitives.ReadUInt16BigEndian(body);
        if (needed > remainingLength)
        {
            throw new MqttProtocolException($"PUBLISH topic and packet id need {needed} bytes but the packet has {remainingLength}.");
        }

        if (body.Length < needed)
        {
            return false;
        }

        // The same rules as a whole PUBLISH, on the head alone.
        var reader = new MqttSpanReader(body[..needed], MqttControlPacketType.Publish);
        MqttPublishPacket head = DecodePublish(flags, ref reader);
        packet = new MqttOversizedPublishPacket
        {
            Topic = head.Topic,
            Qos = head.Qos,
            Retain = head.Retain,
            Dup = head.Dup,
            PacketIdentifier = head.PacketIdentifier,
        };
        consumed = needed;
        return true;
    }

    /// <summary>Decodes a buffer that must hold exactly one whole packet.</summary>
    public static MqttPacket DecodeSingle(ReadOnlySpan<byte> buffer)
    {
        if (!TryDecode(buffer, out MqttPacket? packet, out int consumed) || packet is null)
        {
            throw new MqttProtocolException($"Truncated packet: {buffer.Length} bytes do not hold a whole MQTT packet.");
        }

        if (consumed != buffer.Length)
        {
            throw new MqttProtocolException($"{buffer.Length - consumed} bytes follow the packet.");
        }

        return packet;
    }

    private static MqttPacket DecodeBody(byte header, ReadOnlySpan<byte> body)
    {
        var type = (MqttControlPacketType)(header >> 4);
        int flags = header & 0x0F;
        var reader = new MqttSpanReader(body, type);
        switch (type)
        {
            case MqttControlPacketType.Connect:
                RequireFlags(type, flags, 0);
                return DecodeConnect(ref reader);
            case MqttControlPacketType.ConnAck:
            {
                RequireFlags(type, flags, 0);
                RequireLength(type, body, 2);
                byte ack = reader.ReadByte("acknowledge flags");
                if ((ack & 0xFE) != 0)
                {
                    throw new MqttProtocolException($"CONNACK acknowledge flags 0x{ack:X2} set reserved bits.");
                }

                byte code = reader.ReadByte("return code");
                if (code > 5)
                {
                    throw new MqttProtocolException($"CONNACK return code {code} is not defined by MQTT 3.1.1.");
                }

                return new MqttConnAckPacket((ack & 1) == 1, (MqttConnectReturnCode)code);
            }

            case MqttControlPacketType.Publish:
                return DecodePublish(flags, ref reader);
            case MqttControlPacketType.PubAck:
                RequireFlags(type, flags, 0);
                return new MqttPubAckPacket(ReadIdOnly(type, body, ref reader));
            case MqttControlPacketType.PubRec:
                RequireFlags(type, flags, 0);
                return new MqttPubRecPacket(ReadIdOnly(type, body, ref reader));
            case MqttControlPacketType.PubRel:
                RequireFlags(type, flags, 2);
                return new MqttPubRelPacket(ReadIdOnly(type, body, ref reader));
            case MqttControlPacketType.PubComp:
                RequireFlags(type, flags, 0);
                return new MqttPubCompPacket(ReadIdOnly(type, body, ref reader));
            case MqttControlPacketType.UnsubAck:
                RequireFlags(type, flags, 0);
                return new MqttUnsubAckPacket(ReadIdOnly(type, body, ref reader));
            case MqttControlPacketType.Subscribe:
            {
                RequireFlags(type, flags, 2);
                ushort id = reader.ReadPacketId();
                var filters = new List<MqttTopicFilter>();
                while (!reader.End)
                {
                    string topic = reader.ReadString("topic filter");
                    if (MqttTopicValidator.TopicFilterProblem(topic) is { } problem)
                    {
                        throw new MqttProtocolException($"SUBSCRIBE: {problem}.");
                    }

                    byte qos = reader.ReadByte("requested QoS");
                    if (qos > 2)
                    {
                        throw new MqttProtocolException($"SUBSCRIBE requested QoS byte 0x{qos:X2} is invalid (reserved bits or QoS 3).");
                    }

                    filters.Add(new MqttTopicFilter(topic, (MqttQualityOfServiceLevel)qos));
                }

                if (filters.Count == 0)
                {
                    throw new MqttProtocolException("SUBSCRIBE carries no topic filter.");
                }

                return new MqttSubscribePacket(id, filters);
            }

            case MqttControlPacketType.SubAck:
            {
                RequireFlags(type, flags, 0);
                ushort id = reader.ReadPacketId();
                var codes = new List<MqttSubscribeReturnCode>();
                while (!reader.End)
                {
                    byte code = reader.ReadByte("return code");
                    if (code is not (0 or 1 or 2 or 0x80))
                    {
                        throw new MqttProtocolException($"SUBACK return code 0x{code:X2} is not one of 0x00, 0x01, 0x02, 0x80.");
                    }

                    codes.Add((MqttSubscribeReturnCode)code);
                }

                if (codes.Count == 0)
                {
                    throw new MqttProtocolException("SUBACK carries no return code.");
                }

                return new MqttSubAckPacket(id, codes);
            }

            case MqttControlPacketType.Unsubscribe:
            {
                RequireFlags(type, flags, 2);
                ushort id = reader.ReadPacketId();
                var filters = new List<string>();
                while (!reader.End)
                {
                    string topic = reader.ReadString("topic filter");
                    if (MqttTopicValidator.TopicFilterProblem(topic) is { } problem)
                    {
                        throw new MqttProtocolException($"UNSUBSCRIBE: {problem}.");
                    }

                    filters.Add(topic);
                }

                if (filters.Count == 0)
                {
                    throw new MqttProtocolException("UNSUBSCRIBE carries no topic filter.");
                }

                return new MqttUnsubscribePacket(id, filters);
            }

            case MqttControlPacketType.PingReq:
                RequireFlags(type, flags, 0);
                RequireLength(type, body, 0);
                return MqttPingReqPacket.Instance;
            case MqttControlPacketType.PingResp:
                RequireFlags(type, flags, 0);
                RequireLength(type, body, 0);
                return MqttPingRespPacket.Instance;
            case MqttControlPacketType.Disconnect:
                RequireFlags(type, flags, 0);
                RequireLength(type, body, 0);
                return MqttDisconnectPacket.Instance;
            default:
                throw new MqttProtocolException($"Packet type {(int)type} is reserved in MQTT 3.1.1 (first byte 0x{header:X2}).");
        }
    }

    private static MqttPublishPacket DecodePublish(int flags, ref MqttSpanReader reader)
    {
        int qos = (flags >> 1) & 3;
        if (qos == 3)
        {
            throw new MqttProtocolException("PUBLISH with QoS 3 (both QoS bits set) is malformed.");
        }

        bool dup = (flags & 0x08) != 0;
        if (dup && qos == 0)
        {
            throw new MqttProtocolException("PUBLISH with QoS 0 must not set DUP (section 3.3.1.1).");
        }

        string topic = reader.ReadString("topic name");
        if (MqttTopicValidator.TopicNameProblem(topic) is { } problem)
        {
            throw new MqttProtocolException($"PUBLISH: {problem}.");
        }

        ushort id = qos == 0 ? (ushort)0 : reader.ReadPacketId();
        return new MqttPublishPacket
        {
            Topic = topic,
            Qos = (MqttQualityOfServiceLevel)qos,
            Dup = dup,
            Retain = (flags & 1) != 0,
            PacketIdentifier = id,
            Payload = reader.ReadRest().ToArray(),
        };
    }

    private static MqttConnectPacket DecodeConnect(ref MqttSpanReader reader)
    {
        string protocol = reader.ReadString("protocol name");
        if (protocol != "MQTT")
        {
            throw new MqttProtocolException($"CONNECT protocol name '{protocol}' is not 'MQTT'.");
        }

        byte level = reader.ReadByte("protocol level");
        if (level != 4)
        {
            throw new MqttProtocolException($"CONNECT protocol level {level} is not 4 (MQTT 3.1.1).");
        }

        byte flags = reader.ReadByte("connect flags");
        if ((flags & 0x01) != 0)
        {
            throw new MqttProtocolException("CONNECT reserved flag bit 0 is set.");
        }

        bool will = (flags & 0x04) != 0;
        int willQos = (flags >> 3) & 3;
        bool willRetain = (flags & 0x20) != 0;
        if (!will && (willQos != 0 || willRetain))
        {
            throw new MqttProtocolException("CONNECT sets will QoS or will retain without the will flag.");
        }

        if (willQos == 3)
        {
            throw new MqttProtocolException("CONNECT will QoS 3 is malformed.");
        }

        bool hasUser = (flags & 0x80) != 0;
        bool hasPassword = (flags & 0x40) != 0;
        if (hasPassword && !hasUser)
        {
            throw new MqttProtocolException("CONNECT sets the password flag without the user name flag.");
        }

        ushort keepAlive = reader.ReadUInt16("keep alive");
        string clientId = reader.ReadString("client identifier");
        string? willTopic = null;
        ReadOnlyMemory<byte> willPayload = default;
        if (will)
        {
            willTopic = reader.ReadString("will topic");
            if (MqttTopicValidator.TopicNameProblem(willTopic) is { } problem)
            {
                throw new MqttProtocolException($"CONNECT will: {problem}.");
            }

            willPayload = reader.ReadBinary("will message").ToArray();
        }

        string? user = hasUser ? reader.ReadString("user name") : null;
        ReadOnlyMemory<byte>? password = hasPassword ? reader.ReadBinary("password").ToArray() : null;
        if (!reader.End)
        {
            throw new MqttProtocolException("CONNECT has bytes after its last field.");
        }

        return new MqttConnectPacket
        {
            ClientId = clientId,
            CleanSession = (flags & 0x02) != 0,
            KeepAliveSeconds = keepAlive,
            WillTopic = willTopic,
            WillPayload = willPayload,
            WillQos = (MqttQualityOfServiceLevel)willQos,
            WillRetain = willRetain,
            Username = user,
            Password = password,
        };
    }

    private static ushort ReadIdOnly(MqttControlPacketType type, ReadOnlySpan<byte> body, ref MqttSpanReader reader)
    {
        RequireLength(type, body, 2);
        return reader.ReadPacketId();
    }

    private static void RequireFlags(MqttControlPacketType type, int flags, int expected)
    {
        if (flags != expected)
        {
            throw new MqttProtocolException($"{type} fixed-header flags are 0x{flags:X1}; MQTT 3.1.1 requires 0x{expected:X1}.");
        }
    }

    private static void RequireLength(MqttControlPacketType type, ReadOnlySpan<byte> body, int expected)
    {
        if (body.Length != expected)
        {
            throw new MqttProtocolException($"{type} remaining length is {body.Length}; it must be {expected}.");
        }
    }
}
