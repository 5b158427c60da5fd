using MQTTnet;
using MQTTnet.Adapter;
using MQTTnet.Channel;
using MQTTnet.Diagnostics.Logger;
using MQTTnet.Formatter;
using MQTTnet.Implementations;

namespace CloudMining.Farm.Mqtt.Client;

/// <summary>
/// Builds MQTTnet's channel adapter as its own factory does, with the TCP channel's reads buffered
/// (<see cref="BufferedReadChannel"/>). The packet inspector is passed on unchanged (MQTTnet skips it when nothing
/// listens, and nothing here does).
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

        IMqttChannel channel = new BufferedReadChannel(new MqttTcpChannel(options));
        var formatter = new MqttPacketFormatterAdapter(options.ProtocolVersion, new MqttBufferWriter(options.WriterBufferSize, options.WriterBufferSizeMax));
        return new MqttChannelAdapter(channel, formatter, logger)
        {
            AllowPacketFragmentation = options.AllowPacketFragmentation,
            PacketInspector = packetInspector,
        };
    }
}
