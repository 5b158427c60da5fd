using System.Text;

namespace CloudMining.Farm.Mqtt.Formatter;

/// <summary>The strict UTF-8 encoding MQTT strings use: invalid sequences throw instead of becoming U+FFFD.</summary>
internal static class MqttStrings
{
    public static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
}
