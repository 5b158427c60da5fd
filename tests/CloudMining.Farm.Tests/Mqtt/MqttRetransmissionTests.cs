using System.Collections.Concurrent;
using CloudMining.Farm.Mqtt.Client;
using CloudMining.Farm.Tests.Infrastructure;
using Microsoft.Extensions.Logging;
using Xunit;

namespace CloudMining.Farm.Tests.Mqtt;

[Trait("Category", "Integration")]
public sealed class MqttRetransmissionTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task Unacknowledged_qos1_publish_is_re_sent_after_reconnect_and_its_task_completes()
    {
        // mosquitto's debug log prints every PUBLISH it reads as "(d{dup}, q{qos}, r{retain}, m{id}, ...)".
        await using MosquittoBroker broker = await MosquittoBroker.StartAsync("allow_anonymous true\nlog_type debug");
        await using FarmMqttClient subscriber = await MqttTestClients.ConnectAsync(broker, "dup-watch");
        var seen = new MqttMessageCollector(subscriber);
        await subscriber.SubscribeAsync("dup/#");
        await using var client = new FarmMqttClient(MqttTestClients.Options(broker, "dup-client")
            .WithCleanSession(false)
            .WithKeepAlivePeriod(TimeSpan.Zero)
            .WithAutoReconnect(TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(200))
            .Build());
        await client.ConnectAsync();

        // Frozen broker: the PUBLISH sits in its socket buffer and no PUBACK can come back before we cut the link.
        broker.Pause();
        Task acknowledged;
        try
        {
            acknowledged = client.PublishAsync(new MqttApplicationMessage { Topic = "dup/test", Payload = "once"u8.ToArray() });
            await client.AbortConnectionAsync();
        }
        finally
        {
            broker.Resume();
        }

        // MQTTnet keeps no in-flight state across connections; our layer re-publishes the unacknowledged message on the
        // next connection (a new packet identifier; the receiver drops duplicates by seq), and the caller's task completes.
        await acknowledged.WaitAsync(Wait);
        Assert.True(client.ReconnectCount >= 1);
        Assert.True(await Eventually.TrueAsync(() => seen.Texts.Contains("once"), Wait));
        Assert.True(
            await Eventually.TrueAsync(async () => (await broker.ReadLogAsync()).Split("Received PUBLISH from dup-client (d0, q1, r0, m").Length >= 2, Wait),
            await broker.ReadLogAsync());
    }

    [Fact]
    public async Task Reconnect_attempts_with_a_wrong_password_never_log_the_password()
    {
        string passwords = Path.Combine(Path.GetTempPath(), $"farm-passwd-{Guid.NewGuid():N}");
        await MosquittoBroker.WritePasswordFileAsync(passwords, [("agent-s1-r1", "good-secret")]);
        await using MosquittoBroker broker = await MosquittoBroker.StartAsync($"allow_anonymous false\npassword_file {passwords}");
        var logger = new CapturingLogger();
        await using var client = new FarmMqttClient(
            MqttTestClients.Options(broker, "a").WithCredentials("agent-s1-r1", "hunter2-WRONG").WithAutoReconnect(TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(50)).Build(),
            logger);
        await client.StartAsync();

        Assert.True(await Eventually.TrueAsync(() => logger.Lines.Count(l => l.Contains("Reconnect attempt", StringComparison.Ordinal)) >= 3, Wait));
        Assert.Contains(logger.Lines, l => l.Contains("agent-s1-r1", StringComparison.Ordinal));
        Assert.DoesNotContain(logger.Lines, l => l.Contains("hunter2", StringComparison.Ordinal));
        Assert.False(client.IsConnected);
        File.Delete(passwords);
    }

    private sealed class CapturingLogger : ILogger<FarmMqttClient>
    {
        private readonly ConcurrentQueue<string> _lines = new();

        public IReadOnlyCollection<string> Lines => _lines;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            ArgumentNullException.ThrowIfNull(formatter);
            _lines.Enqueue(formatter(state, exception) + " " + exception);
        }
    }
}
