using CloudMining.Farm.Mqtt.Client;
using CloudMining.Farm.Tests.Infrastructure;
using Xunit;

namespace CloudMining.Farm.Tests.Mqtt;

/// <summary>
/// A connection that dies right after CONNACK (a poison message, a takeover, a broker refusing us) does not reset
/// the backoff: reconnects come with growing delays on the injected clock, and only a connection that stayed up
/// ReconnectHealthyAfter starts the backoff again from its shortest delay.
/// </summary>
[Trait("Category", "Integration")]
public sealed class MqttReconnectBackoffTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan MinDelay = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan HealthyAfter = TimeSpan.FromSeconds(10);

    [Fact]
    public void Delays_grow_by_at_least_1_6_below_the_cap_and_never_exceed_it()
    {
        double[] samples = [0, 0.5, 0.999];
        for (int attempt = 0; attempt < 50; attempt++)
        {
            foreach (double r in samples)
            {
                TimeSpan delay = MqttReconnectBackoff.Delay(attempt, MinDelay, MaxDelay, r);
                Assert.InRange(delay, MinDelay * 0.8, MaxDelay);
                TimeSpan next = MqttReconnectBackoff.Delay(attempt + 1, MinDelay, MaxDelay, 0);
                if (next < MaxDelay * 0.8)
                {
                    Assert.True(next >= delay * 1.6, $"attempt {attempt + 1}: {next} after {delay}");
                }
            }
        }

        Assert.True(MqttReconnectBackoff.Delay(int.MaxValue - 1, MinDelay, MaxDelay, 0) >= MaxDelay * 0.8);
    }

    [Fact]
    public async Task A_connection_closed_right_after_connack_reconnects_with_growing_delays_until_one_stays_healthy()
    {
        var clock = new CountingFakeTimeProvider();
        await using MosquittoBroker broker = await MosquittoBroker.StartAsync();
        await using var client = new FarmMqttClient(MqttTestClients.Options(broker, "backoff-poison")
            .WithKeepAlivePeriod(TimeSpan.Zero)
            .WithAutoReconnect(MinDelay, MaxDelay)
            .WithReconnectHealthyAfter(HealthyAfter)
            .WithTimeProvider(clock)
            .Build());
        bool poisoned = true;
        client.ConnectedAsync += connected =>
        {
            // As a poison message would: the connection dies the moment it is made.
            if (Volatile.Read(ref poisoned))
            {
                _ = Task.Run(client.AbortConnectionAsync);
            }

            return Task.CompletedTask;
        };
        await client.ConnectAsync();

        // The first reconnect after a loss is immediate; from then on every one waits on the clock, longer each time.
        var delays = new List<TimeSpan>();
        for (int reconnects = 1; reconnects <= 6; reconnects++)
        {
            int expected = reconnects;
            Assert.True(await Eventually.TrueAsync(() => client.ReconnectCount == expected && client.PendingReconnectDelay is not null && clock.PendingTimers > 0, Wait), $"waiting after reconnect {expected}; count {client.ReconnectCount}");
            TimeSpan delay = client.PendingReconnectDelay!.Value;
            delays.Add(delay);
            Assert.False(await Eventually.TrueAsync(() => client.ReconnectCount > expected, TimeSpan.FromMilliseconds(200)), "reconnected without the clock moving");
            if (reconnects == 6)
            {
                // The poison is gone: the next connection stays up.
                Volatile.Write(ref poisoned, false);
            }

            clock.Advance(delay);
        }

        Assert.All(delays, d => Assert.InRange(d, MinDelay * 0.8, MaxDelay));
        for (int i = 1; i < delays.Count; i++)
        {
            Assert.True(delays[i] >= delays[i - 1] * 1.5 || delays[i] >= MaxDelay * 0.8, $"delays did not grow: {string.Join(", ", delays)}");
        }

        // Once that connection was healthy for HealthyAfter, the backoff starts over.
        Assert.True(await Eventually.TrueAsync(() => client.ReconnectCount == 7 && client.IsConnected, Wait));
        Assert.True(await Eventually.TrueAsync(() => clock.PendingTimers > 0, Wait));
        clock.Advance(HealthyAfter);
        Assert.True(await Eventually.TrueAsync(() => clock.PendingTimers == 0, Wait));
        await client.AbortConnectionAsync();
        Assert.True(await Eventually.TrueAsync(() => client.ReconnectCount == 8 && client.IsConnected, Wait), "the first reconnect after a healthy connection waits for nothing");
    }
}
