using CloudMining.Farm.Mqtt.Client;
using CloudMining.Farm.Tests.Infrastructure;
using Xunit;

namespace CloudMining.Farm.Tests.Mqtt;

/// <summary>
/// The reconnect backoff runs on the injected TimeProvider, so a test can drive it without waiting. (Keep-alive is
/// MQTTnet's and runs on the real clock; MqttClientTests covers it against a frozen broker.)
/// </summary>
[Trait("Category", "Integration")]
public sealed class MqttClientTimingTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Reconnect_backoff_waits_on_the_injected_clock()
    {
        var clock = new CountingFakeTimeProvider();
        int port = FreeTcpPort.Next();
        await using var client = new FarmMqttClient(new CloudMining.Farm.Mqtt.Client.Options.MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", port).WithClientId("backoff")
            .WithAutoReconnect(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(40))
            .WithTimeProvider(clock).Build());
        client.DisconnectedAsync += _ => Task.CompletedTask;
        await client.StartAsync();

        // The first attempt fails at once (nothing listens); the retry then waits on a timer of the manual clock.
        Assert.True(await Eventually.TrueAsync(() => clock.PendingTimers > 0, Wait));
        Assert.False(client.IsConnected);

        await using MosquittoBroker broker = await MosquittoBroker.StartAsync(port: port);
        bool connectedWithoutTime = await Eventually.TrueAsync(() => client.IsConnected, TimeSpan.FromMilliseconds(500));
        Assert.False(connectedWithoutTime, "the client retried without the clock moving");

        clock.Advance(TimeSpan.FromSeconds(40)); // beyond the longest first delay, jitter included
        Assert.True(await Eventually.TrueAsync(() => client.IsConnected, Wait));
        Assert.Equal(0, client.ReconnectCount);
    }
}
