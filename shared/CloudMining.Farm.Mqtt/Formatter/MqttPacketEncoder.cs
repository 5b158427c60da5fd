using System.Buffers;
using System.Buffers.Binary;
using CloudMining.Farm.Mqtt.Packets;

namespace CloudMining.Farm.Mqtt.Formatter;

/// <summary>Writes MQTT 3.1.1 packets to a buffer: pure code, no sockets.</summary>
public static class MqttPacketEncoder
{
    /// <summary>Largest remaining length the 4-byte variable integer can express.</summary>
    public const int MaxRemainingLength = 268_435_455;

    /// <summary>Appends the encoded packet to <paramref name="writer"/>; returns the number of bytes written.</summary>
    public static int Encode(MqttPacket packet, IBufferWriter<byte> writer)
    {
        ArgumentNullException.ThrowIfNull(packet);
        ArgumentNullException.ThrowIfNull(writer);
        return packet switch
        {
            MqttPublishPacket p => EncodePublish(p.Topic, p.Payload.Span, p.Qos, p.Retain, p.Dup, p.PacketIdentifier, writer),
            MqttPubAckPacket p => EncodeIdOnly(0x40, p.PacketIdentifier, writer),
            MqttPubRecPacket p => EncodeIdOnly(0x50, p.PacketIdentifier, writer),
            MqttPubRelPacket p => EncodeIdOnly(0x62, p.PacketIdentifier, writer),
            MqttPubCompPacket p => EncodeIdOnly(0x70, p.PacketIdentifier, writer),
            MqttUnsubAckPacket p => EncodeIdOnly(0xB0, p.PacketIdentifier, writer),
            MqttPingReqPacket => EncodeEmpty(0xC0, writer),
            MqttPingRespPacket => EncodeEmpty(0xD0, writer),
            MqttDisconnectPacket => EncodeEmpty(0xE0, writer),
            MqttConnAckPacket p => EncodeConnAck(p, writer),
            MqttConnectPacket p => EncodeConnect(p, writer),
            MqttSubscribePacket p => EncodeSubscribe(p, writer),
            MqttSubAckPacket p => EncodeSubAck(p, writer),
            MqttUnsubscribePacket p => EncodeUnsubscribe(p, writer),
            _ => throw new ArgumentException($"Unknown packet type {packet.GetType().Name}.", nameof(packet)),
        };
    }

    /// <summary>Encodes a packet into a fresh array (tests, small control packets).</summary>
    public static byte[] ToArray(MqttPacket packet)
    {
        var buffer = new ArrayBufferWriter<byte>();
        Encode(packet, buffer);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The size in bytes of the whole PUBLISH packet (fixed header included) for these parts.</summary>
    public static long PublishPacketSize(string topic, int payloadLength, MqttQualityOfServiceLevel qos)
    {
        ArgumentNullException.ThrowIfNull(topic);
        long remaining = 2L + MqttStrings.Utf8.GetByteCount(topic) + (qos == MqttQualityOfServiceLevel.AtMostOnce ? 0 : 2) + payloadLength;
        return 1 + (remaining > MaxRemainingLength ? 5 : VarIntSize((int)remaining)) + remaining;
    }

    /// <summary>The hot path: a PUBLISH straight from its parts, without allocating a packet record.</summary>
    public static int EncodePublish(string topic, ReadOnlySpan<byte> payload, MqttQualityOfServiceLevel qos, bool retain, bool dup, ushort packetIdentifier, IBufferWriter<byte> writer)
    {
        ArgumentNullException.ThrowIfNull(topic);
        ArgumentNullException.ThrowIfNull(writer);
        if (qos > MqttQualityOfServiceLevel.ExactlyOnce)
        {
            throw new ArgumentOutOfRangeException(nameof(qos), qos, "QoS must be 0, 1 or 2.");
        }

        if (qos != MqttQualityOfServiceLevel.AtMostOnce && packetIdentifier == 0)
        {
            throw new ArgumentException("A QoS 1 or 2 PUBLISH needs a non-zero packet identifier.", nameof(packetIdentifier));
        }

        int topicBytes = MqttStrings.Utf8.GetByteCount(topic);
        CheckStringLength(topicBytes, "topic");
        long remaining = 2L + topicBytes + (qos == MqttQualityOfServiceLevel.AtMostOnce ? 0 : 2) + payload.Length;
        CheckRemaining(remaining);
        int header = 0x30 | (dup ? 0x08 : 0) | ((int)qos << 1) | (retain ? 1 : 0);
        int total = 1 + VarIntSize((int)remaining) + (int)remaining;
        Span<byte> span = writer.GetSpan(total);
        int pos = 0;
        span[pos++] = (byte)header;
        pos += WriteVarInt(span[pos..], (int)remaining);
        BinaryPrimitives.WriteUInt16BigEndian(span[pos..], (ushort)topicBytes);
        pos += 2;
        pos += MqttStrings.Utf8.GetBytes(topic, span[pos..]);
        if (qos != MqttQualityOfServiceLevel.AtMostOnce)
        {
            BinaryPrimitives.WriteUInt16BigEndian(span[pos..], packetIdentifier);
            pos += 2;
        }

        payload.CopyTo(span[pos..]);
        pos += payload.Length;
        writer.Advance(pos);
        return pos;
    }

    private static int EncodeIdOnly(byte header, ushort id, IBufferWriter<byte> writer)
    {
        Span<byte> span = writer.GetSpan(4);
        span[0] = header;
        span[1] = 2;
        BinaryPrimitives.WriteUInt16BigEndian(span[2..], id);
        writer.Advance(4);
        return 4;
    }

    private static int EncodeEmpty(byte header, IBufferWriter<byte> writer)
    {
        Span<byte> span = writer.GetSpan(2);
        span[0] = header;
        span[1] = 0;
        writer.Advance(2);
        return 2;
    }

    private static int EncodeConnAck(MqttConnAckPacket p, IBufferWriter<byte> writer)
    {
        Span<byte> span = writer.GetSpan(4);
        span[0] = 0x20;
        span[1] = 2;
        span[2] = p.SessionPresent ? (byte)1 : (byte)0;
        span[3] = (byte)p.ReturnCode;
        writer.Advance(4);
        return 4;
    }

    private static int EncodeConnect(MqttConnectPacket p, IBufferWriter<byte> writer)
    {
        if (p.Password is not null && p.Username is null)
        {
            throw new ArgumentException("MQTT 3.1.1 does not allow a password without a user name.", nameof(p));
        }

        var body = new ArrayBufferWriter<byte>(64);
        WriteString(body, "MQTT");
        byte flags = 0;
        if (p.Username is not null)
        {
            flags |= 0x80;
        }

        if (p.Password is not null)
        {
            flags |= 0x40;
        }

        if (p.WillTopic is not null)
        {
            flags |= 0x04;
            flags |= (byte)((int)p.WillQos << 3);
            if (p.WillRetain)
            {
                flags |= 0x20;
            }
        }

        if (p.CleanSession)
        {
            flags |= 0x02;
        }

        WriteBytes(body, [4, flags, (byte)(p.KeepAliveSeconds >> 8), (byte)p.KeepAliveSeconds]);
        WriteString(body, p.ClientId);
        if (p.WillTopic is not null)
        {
            WriteString(body, p.WillTopic);
            WriteBinary(body, p.WillPayload.Span);
        }

        if (p.Username is not null)
        {
            WriteString(body, p.Username);
        }

        if (p.Password is { } password)
        {
            WriteBinary(body, password.Span);
        }

        return WriteWithHeader(0x10, body.WrittenSpan, writer);
    }

    private static int EncodeSubscribe(MqttSubscribePacket p, IBufferWriter<byte> writer)
    {
        var body = new ArrayBufferWriter<byte>(64);
        WriteUInt16(body, p.PacketIdentifier);
        foreach (MqttTopicFilter filter in p.Filters)
        {
            WriteString(body, filter.Topic);
            WriteBytes(body, [(byte)filter.Qos]);
        }

        return WriteWithHeader(0x82, body.WrittenSpan, writer);
    }

    private static int EncodeSubAck(MqttSubAckPacket p, IBufferWriter<byte> writer)
    {
        var body = new ArrayBufferWriter<byte>(8);
        WriteUInt16(body, p.PacketIdentifier);
        foreach (MqttSubscribeReturnCode code in p.ReturnCodes)
        {
            WriteBytes(body, [(byte)code]);
        }

        return WriteWithHeader(0x90, body.WrittenSpan, writer);
    }

    private static int EncodeUnsubscribe(MqttUnsubscribePacket p, IBufferWriter<byte> writer)
    {
        var body = new ArrayBufferWriter<byte>(64);
        WriteUInt16(body, p.PacketIdentifier);
        foreach (string filter in p.Filters)
        {
            WriteString(body, filter);
        }

        return WriteWithHeader(0xA2, body.WrittenSpan, writer);
    }

    private static int WriteWithHeader(byte header, ReadOnlySpan<byte> body, IBufferWriter<byte> writer)
    {
        CheckRemaining(body.Length);
        int total = 1 + VarIntSize(body.Length) + body.Length;
        Span<byte> span = writer.GetSpan(total);
        span[0] = header;
        int pos = 1 + WriteVarInt(span[1..], body.Length);
        body.CopyTo(span[pos..]);
        writer.Advance(total);
        return total;
    }

    private static void WriteString(ArrayBufferWriter<byte> body, string value)
    {
        int count = MqttStrings.Utf8.GetByteCount(value);
        CheckStringLength(count, "string");
        WriteUInt16(body, (ushort)count);
        Span<byte> span = body.GetSpan(count);
        MqttStrings.Utf8.GetBytes(value, span);
        body.Advance(count);
    }

    private static void WriteBinary(ArrayBufferWriter<byte> body, ReadOnlySpan<byte> value)
    {
        CheckStringLength(value.Length, "binary field");
        WriteUInt16(body, (ushort)value.Length);
        WriteBytes(body, value);
    }

    private static void WriteUInt16(ArrayBufferWriter<byte> body, ushort value)
    {
        BinaryPrimitives.WriteUInt16BigEndian(body.GetSpan(2), value);
        body.Advance(2);
    }

    private static void WriteBytes(ArrayBufferWriter<byte> body, ReadOnlySpan<byte> value) => body.Write(value);

    private static void CheckStringLength(int count, string what)
    {
        if (count > MqttTopicValidator.MaxStringBytes)
        {
            throw new ArgumentException($"An MQTT {what} is at most {MqttTopicValidator.MaxStringBytes} bytes; this one has {count}.");
        }
    }

    private static void CheckRemaining(long remaining)
    {
        if (remaining > MaxRemainingLength)
        {
            throw new ArgumentException($"An MQTT packet body is at most {MaxRemainingLength} bytes; this one would be {remaining}.");
        }
    }

    internal static int VarIntSize(int value) => value < 128 ? 1 : value < 16_384 ? 2 : value < 2_097_152 ? 3 : 4;

    private static int WriteVarInt(Span<byte> span, int value)
    {
        int pos = 0;
        do
        {
            byte digit = (byte)(value % 128);
            value /= 128;
            if (value > 0)
            {
                digit |= 0x80;
            }

            span[pos++] = digit;
        }
        while (value > 0);
        return pos;
    }
}
