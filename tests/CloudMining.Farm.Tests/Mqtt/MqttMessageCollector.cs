using System.Collections.Concurrent;
using CloudMining.Farm.Mqtt.Client;

namespace CloudMining.Farm.Tests.Mqtt;

/// <summary>Records every message a client receives, for tests to inspect.</summary>
public sealed class MqttMessageCollector
{
    private readonly ConcurrentQueue<MqttApplicationMessage> messages = new();

    public MqttMessageCollector(FarmMqttClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        client.ApplicationMessageReceivedAsync += e =>
        {
            messages.Enqueue(e.ApplicationMessage);
            return Task.CompletedTask;
        };
    }

    public IReadOnlyList<MqttApplicationMessage> Messages => [.. messages];

    public IReadOnlyList<string> Texts => [.. messages.Select(m => System.Text.Encoding.UTF8.GetString(m.Payload.Span))];
}
