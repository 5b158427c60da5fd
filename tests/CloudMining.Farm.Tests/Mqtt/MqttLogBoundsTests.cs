using CloudMining.Farm.Mqtt.Client;
using CloudMining.Farm.Mqtt.Logging;
using CloudMining.Farm.Mqtt.Messages;
using CloudMining.Farm.Mqtt.Subscription;
using CloudMining.Farm.Shared.Wire;
using CloudMining.Farm.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace CloudMining.Farm.Tests.Mqtt;

/// <summary>Nothing a rack sends can flood our logs: lines are throttled per kind and text from the wire is cut short.</summary>
public sealed class MqttLogBoundsTests
{
    [Fact]
    public void Throttle_allows_a_burst_then_one_line_per_interval_and_counts_what_it_held_back()
    {
        var clock = new FakeTimeProvider();
        var throttle = new LogThrottle(clock, TimeSpan.FromMinutes(1), burst: 3);
        Assert.Equal([true, true, true, false, false], Enumerable.Range(0, 5).Select(i => throttle.TryAcquire(out long ignored)));
        Assert.Equal(2, throttle.Suppressed);

        clock.Advance(TimeSpan.FromSeconds(59));
        Assert.False(throttle.TryAcquire(out _));
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(throttle.TryAcquire(out long heldBack));
        Assert.Equal(3, heldBack);
        Assert.Equal(0, throttle.Suppressed);
    }

    [Fact]
    public async Task A_flood_of_malformed_messages_logs_a_few_short_lines_and_all_are_counted()
    {
        using var logs = new InMemoryLoggerProvider();
        var clock = new FakeTimeProvider();
        await using var client = new FarmMqttClient(new CloudMining.Farm.Mqtt.Client.Options.MqttClientOptionsBuilder().WithClientId("flood").WithTimeProvider(clock).Build());
        var subscriber = new FarmSubscriber(client, (_, _) => Task.CompletedTask, logs.CreateLogger<FarmSubscriber>());
        byte[] huge = System.Text.Encoding.UTF8.GetBytes("{\"schema\":\"" + new string('s', 2_000_000) + "\",\"seq\":1}");
        string topic = FarmTopics.MinerTelemetry("s1", "r1", "m1");
        for (int i = 0; i < 1000; i++)
        {
            await subscriber.HandleAsync(new MqttApplicationMessage { Topic = topic, Payload = i % 2 == 0 ? huge : "not json"u8.ToArray(), Qos = MqttQualityOfServiceLevel.AtLeastOnce }, CancellationToken.None);
        }

        Assert.Equal(1000, subscriber.Malformed);
        Assert.Equal(0, subscriber.Delivered);
        InMemoryLoggerProvider.LogRecord[] lines = [.. logs.Records.Where(r => r.Message.StartsWith("Dropped a malformed", StringComparison.Ordinal))];
        Assert.Equal(10, lines.Length);
        Assert.All(lines, l => Assert.True(l.Message.Length < 1000, $"a {l.Message.Length}-character log line"));
        Assert.Contains(lines, l => l.Message.Contains(topic, StringComparison.Ordinal) && l.Message.Contains("chars)", StringComparison.Ordinal));

        clock.Advance(TimeSpan.FromMinutes(1));
        await subscriber.HandleAsync(new MqttApplicationMessage { Topic = topic, Payload = "[]"u8.ToArray() }, CancellationToken.None);
        Assert.Contains(logs.Records, r => r.Message.Contains("990 not logged since the last line", StringComparison.Ordinal));
    }
}
