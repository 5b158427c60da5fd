using CloudMining.Farm.Controller.Configuration;
using CloudMining.Farm.Mqtt.Client;
using CloudMining.Farm.Mqtt.Client.Options;
using CloudMining.Farm.Mqtt.Exceptions;
using Xunit;

namespace CloudMining.Farm.Tests.Mqtt;

/// <summary>
/// The controller announces an MQTT 5 Receive Maximum, so the broker cannot send it more unacknowledged QoS 1 messages
/// than it can hold (before, none was announced: up to 65,535 rack batches could wait in its memory).
/// </summary>
public sealed class MqttReceiveMaximumTests
{
    [Fact]
    public void The_controller_connection_announces_its_receive_maximum_at_connect()
    {
        MqttClientOptions options = new ControllerMqttOptions { Host = "127.0.0.1", Port = 1883, ClientId = "controller" }.ToClientOptions();

        Assert.Equal(ControllerMqttOptions.ReceiveMaximum, options.ReceiveMaximum);
        Assert.Equal(ControllerMqttOptions.ReceiveMaximum, new MqttNetOptions(options).Build().ReceiveMaximum);
    }

    [Fact]
    public void Without_one_nothing_is_announced()
    {
        MqttClientOptions options = new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", 1883).WithClientId("agent").Build();

        Assert.Null(options.ReceiveMaximum);
        Assert.Equal(new MQTTnet.MqttClientOptions().ReceiveMaximum, new MqttNetOptions(options).Build().ReceiveMaximum);
    }

    [Fact]
    public void A_receive_maximum_outside_1_to_65535_is_refused()
    {
        var error = Assert.Throws<MqttConfigurationException>(() => new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", 1883).WithClientId("c").WithReceiveMaximum(0).Build());
        Assert.Contains("ReceiveMaximum 0 is outside 1-65535", error.Message, StringComparison.Ordinal);
    }
}
