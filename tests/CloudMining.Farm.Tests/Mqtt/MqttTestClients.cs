using CloudMining.Farm.Mqtt.Client;
using CloudMining.Farm.Mqtt.Client.Options;
using CloudMining.Farm.Tests.Infrastructure;

namespace CloudMining.Farm.Tests.Mqtt;

/// <summary>Option builders pointed at a test broker.</summary>
public static class MqttTestClients
{
    public static MqttClientOptionsBuilder Options(MosquittoBroker broker, string clientId)
    {
        ArgumentNullException.ThrowIfNull(broker);
        return new MqttClientOptionsBuilder().WithTcpServer(broker.Host, broker.Port).WithClientId(clientId).WithTimeout(TimeSpan.FromSeconds(5));
    }

    public static async Task<FarmMqttClient> ConnectAsync(MosquittoBroker broker, string clientId, Func<MqttClientOptionsBuilder, MqttClientOptionsBuilder>? configure = null)
    {
        MqttClientOptionsBuilder builder = Options(broker, clientId);
        var client = new FarmMqttClient((configure?.Invoke(builder) ?? builder).Build());
        await client.ConnectAsync();
        return client;
    }
}
