using System.Text;
using CloudMining.Farm.Mqtt.Messages;
using MQTTnet.Formatter;

namespace CloudMining.Farm.Mqtt.Client;

/// <summary>
/// The size of the whole PUBLISH packet MQTTnet writes for a message without properties: what the broker's
/// max_packet_size and our own limit count. Ours because MQTTnet does not check a packet against a limit before sending.
/// </summary>
public static class MqttPublishPacketSize
{
    /// <summary>Largest remaining length the MQTT variable-length integer can express.</summary>
    public const int MaxRemainingLength = 268_435_455;

    public static long Of(string topic, long payloadLength, MqttQualityOfServiceLevel qos, MqttProtocolVersion version)
    {
        ArgumentNullException.ThrowIfNull(topic);
        long remaining = 2 + Encoding.UTF8.GetByteCount(topic) + (qos == MqttQualityOfServiceLevel.AtMostOnce ? 0 : 2)
            + (version == MqttProtocolVersion.V500 ? 1 : 0) + payloadLength;
        int lengthBytes = remaining < 128 ? 1 : remaining < 16_384 ? 2 : remaining < 2_097_152 ? 3 : 4;
        return 1 + lengthBytes + remaining;
    }
}
