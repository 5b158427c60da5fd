using System.Collections.Concurrent;
using CloudMining.Farm.Mqtt.Client;

namespace CloudMining.Farm.Tests.Mqtt;

/// <summary>Records every message a client receives, for tests to inspect.</summary>
public sealed class MqttMessageCollector
{
    private readonly ConcurrentQueue<MqttApplicationMessage> _messages = new();

    public MqttMessageCollector(FarmMqttClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        client.ApplicationMessageReceivedAsync += e =>
        {
            _messages.Enqueue(e.ApplicationMessage);
            return Task.CompletedTask;
        };
    }

    public IReadOnlyList<MqttApplicationMessage> Messages => [.. _messages];

    public IReadOnlyList<string> Texts => [.. _messages.Select(m => System.Text.Encoding.UTF8.GetString(m.Payload.Span))];
}
