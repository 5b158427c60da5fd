using MQTTnet;
using MQTTnet.Adapter;
using MQTTnet.Channel;
using MQTTnet.Diagnostics.Logger;
using MQTTnet.Formatter;
using MQTTnet.Implementations;

namespace CloudMining.Farm.Mqtt.Client;

/// <summary>
/// Builds MQTTnet's channel adapter as its own factory does, and reads packets through our
/// <see cref="PacketReadingChannelAdapter"/> (one socket receive for many packets, each decoded from the buffer). The
/// packet inspector goes to MQTTnet's adapter for the sending side; received packets are not inspected (this client
/// attaches no inspector handler, and MQTTnet's adapter skips inspection when none is attached).
/// </summary>
internal sealed class FarmMqttAdapterFactory : IMqttClientAdapterFactory
{
    public IMqttChannelAdapter CreateClientAdapter(MQTTnet.MqttClientOptions options, MqttPacketInspector packetInspector, IMqttNetLogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.ChannelOptions is not MqttClientTcpOptions)
        {
            throw new NotSupportedException("Only TCP (with or without TLS) connections are configured by this client.");
        }

        var channel = new MqttTcpChannel(options);
        var formatter = new MqttPacketFormatterAdapter(options.ProtocolVersion, new MqttBufferWriter(options.WriterBufferSize, options.WriterBufferSizeMax));
        var adapter = new MqttChannelAdapter(channel, formatter, logger)
        {
            AllowPacketFragmentation = options.AllowPacketFragmentation,
            PacketInspector = packetInspector,
        };
        return new PacketReadingChannelAdapter(channel, adapter);
    }
}
