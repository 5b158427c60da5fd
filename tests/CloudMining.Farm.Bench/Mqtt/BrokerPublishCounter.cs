using System.Diagnostics;
using System.Globalization;
using System.Text;
using CloudMining.Farm.Mqtt.Client;
using CloudMining.Farm.Mqtt.Client.Options;

namespace CloudMining.Farm.Bench.Mqtt;

/// <summary>
/// The broker's own count of PUBLISH packets received (<c>$SYS/broker/publish/messages/received</c>, refreshed every
/// second), so every client's throughput is checked against what actually reached the broker, not what it claims.
/// </summary>
internal sealed class BrokerPublishCounter : IAsyncDisposable
{
    // mosquitto refreshes $SYS on whole-second ticks of its clock: two ticks plus a margin.
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(3);
    private readonly FarmMqttClient _client;
    private long _received;

    private BrokerPublishCounter(FarmMqttClient client)
    {
        _client = client;
        client.ApplicationMessageReceivedAsync += e =>
        {
            Interlocked.Exchange(ref _received, long.Parse(Encoding.ASCII.GetString(e.ApplicationMessage.Payload.Span), CultureInfo.InvariantCulture));
            return Task.CompletedTask;
        };
    }

    public long Received => Interlocked.Read(ref _received);

    public static async Task<BrokerPublishCounter> StartAsync(BenchBroker broker)
    {
        var client = new FarmMqttClient(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", broker.Port).WithClientId("bench-sys-counter").Build());
        await client.ConnectAsync();
        var counter = new BrokerPublishCounter(client);
        await client.SubscribeAsync("$SYS/broker/publish/messages/received");
        return counter;
    }

    /// <summary>
    /// Waits until the broker reports at least <paramref name="target"/> publishes, or the settle time passes with no
    /// change (then the count is final and short of the target). Returns the broker's count.
    /// </summary>
    public async Task<long> WaitForAsync(long target)
    {
        var sinceChange = Stopwatch.StartNew();
        long seen = Received;
        while (seen < target && sinceChange.Elapsed < Settle)
        {
            await Task.Delay(50);
            long now = Received;
            if (now != seen)
            {
                seen = now;
                sinceChange.Restart();
            }
        }

        return seen;
    }

    public ValueTask DisposeAsync() => _client.DisposeAsync();
}
