using System.Buffers.Binary;
using System.Text;
using CloudMining.Farm.Mqtt.Packets;

namespace CloudMining.Farm.Mqtt.Formatter;

/// <summary>Bounds-checked cursor over one packet body; running past the end is a protocol error, not an IndexOutOfRange.</summary>
internal ref struct MqttSpanReader
{
    private readonly ReadOnlySpan<byte> body;
    private readonly MqttControlPacketType type;
    private int pos;

    public MqttSpanReader(ReadOnlySpan<byte> body, MqttControlPacketType type)
    {
        this.body = body;
        this.type = type;
        pos = 0;
    }

    public readonly bool End => pos >= body.Length;

    public byte ReadByte(string field)
    {
        Need(1, field);
        return body[pos++];
    }

    public ushort ReadUInt16(string field)
    {
        Need(2, field);
        ushort value = BinaryPrimitives.ReadUInt16BigEndian(body[pos..]);
        pos += 2;
        return value;
    }

    public ushort ReadPacketId()
    {
        ushort id = ReadUInt16("packet identifier");
        if (id == 0)
        {
            throw new MqttProtocolException($"{type} packet identifier is 0; identifiers must be non-zero.");
        }

        return id;
    }

    public ReadOnlySpan<byte> ReadBinary(string field)
    {
        int length = ReadUInt16(field + " length");
        Need(length, field);
        ReadOnlySpan<byte> value = body.Slice(pos, length);
        pos += length;
        return value;
    }

    public string ReadString(string field)
    {
        ReadOnlySpan<byte> raw = ReadBinary(field);
        string value;
        try
        {
            value = MqttStrings.Utf8.GetString(raw);
        }
        catch (DecoderFallbackException ex)
        {
            throw new MqttProtocolException($"{type} {field} is not valid UTF-8.", ex);
        }

        if (value.Contains('\0', StringComparison.Ordinal))
        {
            throw new MqttProtocolException($"{type} {field} contains U+0000, which MQTT forbids.");
        }

        return value;
    }

    public ReadOnlySpan<byte> ReadRest()
    {
        ReadOnlySpan<byte> rest = body[pos..];
        pos = body.Length;
        return rest;
    }

    private readonly void Need(int count, string field)
    {
        if (body.Length - pos < count)
        {
            throw new MqttProtocolException($"{type} is truncated: {field} needs {count} bytes at offset {pos} but the body has {body.Length}.");
        }
    }
}
