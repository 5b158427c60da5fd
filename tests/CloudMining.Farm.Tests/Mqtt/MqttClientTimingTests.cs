using System.Collections.Concurrent;
using CloudMining.Farm.Mqtt.Client;
using CloudMining.Farm.Tests.Infrastructure;
using Xunit;

namespace CloudMining.Farm.Tests.Mqtt;

/// <summary>Keep-alive and reconnect backoff run on the injected TimeProvider, so a test can drive them without waiting.</summary>
[Trait("Category", "Integration")]
public sealed class MqttClientTimingTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Keep_alive_declares_a_frozen_broker_dead_only_when_the_clock_passes_the_period()
    {
        var clock = new CountingFakeTimeProvider();
        await using MosquittoBroker broker = await MosquittoBroker.StartAsync();
        await using var client = new FarmMqttClient(MqttTestClients.Options(broker, "ka-manual").WithKeepAlivePeriod(TimeSpan.FromSeconds(60)).WithTimeProvider(clock).Build());
        var reasons = new ConcurrentQueue<string>();
        client.DisconnectedAsync += e =>
        {
            reasons.Enqueue(e.Exception?.Message ?? string.Empty);
            return Task.CompletedTask;
        };
        await client.ConnectAsync();
        Assert.True(await Eventually.TrueAsync(() => clock.PendingTimers > 0, Wait));
        broker.Pause();
        try
        {
            clock.Advance(TimeSpan.FromSeconds(30)); // half the period: PINGREQ goes out, into the frozen broker
            Assert.True(await Eventually.TrueAsync(() => clock.PendingTimers > 0, Wait));
            clock.Advance(TimeSpan.FromSeconds(29)); // 59 s after the ping: still within the period
            Assert.True(await Eventually.TrueAsync(() => clock.PendingTimers > 0, Wait));
            Assert.True(client.IsConnected);
            Assert.Empty(reasons);

            clock.Advance(TimeSpan.FromSeconds(31)); // 60 s after the ping without an answer
            Assert.True(await Eventually.TrueAsync(() => !reasons.IsEmpty, Wait));
            Assert.Contains("did not answer a PINGREQ", reasons.First(), StringComparison.Ordinal);
            Assert.False(client.IsConnected);
        }
        finally
        {
            broker.Resume();
        }
    }

    [Fact]
    public async Task Reconnect_backoff_waits_on_the_injected_clock()
    {
        var clock = new CountingFakeTimeProvider();
        int port = FreeTcpPort.Next();
        var attempts = new ConcurrentQueue<string>();
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
