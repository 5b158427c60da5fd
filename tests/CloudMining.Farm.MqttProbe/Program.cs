using System.Globalization;
using System.Text;
using CloudMining.Farm.Mqtt.Client;
using CloudMining.Farm.Mqtt.Client.Options;
using CloudMining.Farm.Mqtt.Messages;

namespace CloudMining.Farm.MqttProbe;

/// <summary>
/// A separate process the MQTT tests can kill with SIGKILL: "will" connects with a last will and idles;
/// "queue" publishes numbered QoS 1 messages through the disk offline queue, printing each durable enqueue.
/// </summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args.Length < 4)
        {
            await Console.Error.WriteLineAsync("usage: farm-mqtt-probe will <host> <port> <client-id> <will-topic> <will-payload>\n       farm-mqtt-probe queue <host> <port> <client-id> <dir> <topic> <from> <count>");
            return 2;
        }

        string host = args[1];
        int port = int.Parse(args[2], CultureInfo.InvariantCulture);
        string clientId = args[3];
        var builder = new MqttClientOptionsBuilder().WithTcpServer(host, port).WithClientId(clientId).WithKeepAlivePeriod(TimeSpan.FromSeconds(30));
        switch (args[0])
        {
            case "will":
            {
                builder.WithWillMessage(new MqttApplicationMessage { Topic = args[4], Payload = Encoding.UTF8.GetBytes(args[5]), Qos = MqttQualityOfServiceLevel.AtLeastOnce, Retain = true });
                await using var client = new FarmMqttClient(builder.Build());
                await client.ConnectAsync();
                Console.WriteLine("CONNECTED");
                await Console.In.ReadLineAsync();
                return 0;
            }

            case "queue":
            {
                builder.WithAutoReconnect(TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(500))
                    .WithOfflineQueue(new MqttOfflineQueueOptions { Directory = args[4] });
                await using var client = new FarmMqttClient(builder.Build());
                await client.StartAsync();
                int from = int.Parse(args[6], CultureInfo.InvariantCulture);
                int count = int.Parse(args[7], CultureInfo.InvariantCulture);
                for (int i = from; i < from + count; i++)
                {
                    await client.PublishAsync(new MqttApplicationMessage { Topic = args[5], Payload = Encoding.UTF8.GetBytes(i.ToString(CultureInfo.InvariantCulture)) });
                    Console.WriteLine($"QUEUED {i}");
                }

                while (client.OfflineQueue!.Count > 0)
                {
                    await Task.Delay(50);
                }

                Console.WriteLine("DRAINED");
                await Console.In.ReadLineAsync();
                return 0;
            }

            default:
                await Console.Error.WriteLineAsync($"unknown mode '{args[0]}'");
                return 2;
        }
    }
}
