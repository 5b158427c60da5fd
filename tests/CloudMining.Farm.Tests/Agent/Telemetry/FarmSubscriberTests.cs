using System.Text;
using System.Text.Json;
using CloudMining.Farm.Mqtt.Client;
using CloudMining.Farm.Mqtt.Subscription;
using CloudMining.Farm.Shared.Wire;
using CloudMining.Farm.Tests.Infrastructure;
using CloudMining.Farm.Tests.Mqtt;
using Microsoft.Extensions.Logging;
using Xunit;

namespace CloudMining.Farm.Tests.Agent.Telemetry;

[Trait("Category", "Integration")]
public sealed class FarmSubscriberTests
{
    private static MinerStatePayload State(long seq) => new()
    {
        Publisher = "agent-s1-r07",
        Seq = seq,
        Timestamp = DateTimeOffset.UtcNow,
        Site = "s1",
        Rack = "r07",
        MinerId = "m1",
        State = MinerState.Hashing,
    };

    [Fact]
    public async Task Duplicates_are_dropped_and_malformed_payloads_are_reported_without_stopping_the_subscription()
    {
        await using MosquittoBroker broker = await MosquittoBroker.StartAsync();
        var logs = new InMemoryLoggerProvider();
        using ILoggerFactory factory = LoggerFactory.Create(b => b.AddProvider(logs));
        var handled = new List<FarmReceivedMessage>();
        await using FarmMqttClient consumer = await MqttTestClients.ConnectAsync(broker, "consumer");
        var subscriber = new FarmSubscriber(
            consumer,
            (m, _) =>
            {
                lock (handled)
                {
                    handled.Add(m);
                }

                return Task.CompletedTask;
            },
            factory.CreateLogger<FarmSubscriber>());
        Assert.True((await subscriber.SubscribeAsync(["farm/v1/#"])).AllGranted);

        await using FarmMqttClient producer = await MqttTestClients.ConnectAsync(broker, "producer");
        string topic = FarmTopics.MinerState("s1", "r07", "m1");
        byte[] Json(long seq) => JsonSerializer.SerializeToUtf8Bytes(State(seq), FarmJsonContext.Default.MinerStatePayload);
        async Task SendAsync(string t, byte[] payload) => await producer.PublishAsync(new MqttApplicationMessage { Topic = t, Payload = payload });

        await SendAsync(topic, Json(5));
        await SendAsync(topic, Json(5));                                        // re-delivery
        await SendAsync(topic, Json(4));                                        // older replay
        await SendAsync(topic, Encoding.UTF8.GetBytes("{not json"));            // garbage
        await SendAsync(FarmTopics.MinerTelemetry("s1", "r07", "m1"), Json(9)); // right JSON, wrong topic for it
        await SendAsync(topic, Encoding.UTF8.GetBytes("{\"schema\":\"farm.v1.miner-state\",\"publisher\":\"x\",\"seq\":3}")); // fields missing
        await SendAsync("farm/v1/s1/r07/unknown", Json(10));                   // not in the tree
        await SendAsync(topic, Json(6));

        // Received counts a message as it comes in; wait until each of the 8 has also reached its end (handled, dropped
        // as a duplicate, or logged as malformed), or the last one may still be on its way to the handler.
        int Handled()
        {
            lock (handled)
            {
                return handled.Count;
            }
        }

        int Ended() => Handled() + (int)subscriber.Duplicates.Dropped + logs.Records.Count(r => r.Level == LogLevel.Error);
        Assert.True(await Eventually.TrueAsync(() => subscriber.Received == 8 && Ended() == 8, TimeSpan.FromSeconds(10)), $"received {subscriber.Received}, ended {Ended()}");
        long[] seqs;
        lock (handled)
        {
            seqs = [.. handled.Select(m => m.Payload.Seq)];
        }

        Assert.Equal([5L, 6L], seqs);
        Assert.IsType<MinerStatePayload>(handled[0].Payload);
        Assert.Equal(FarmTopicKind.MinerState, handled[0].Topic.Kind);
        Assert.Equal(2, subscriber.Duplicates.Dropped);
        Assert.Equal(4, subscriber.Malformed);
        string[] errors = [.. logs.Records.Where(r => r.Level == LogLevel.Error).Select(r => r.Message)];
        Assert.Equal(4, errors.Length);
        Assert.Contains(errors, e => e.Contains(topic, StringComparison.Ordinal) && e.Contains("not valid farm.v1.miner-state JSON", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("/telemetry", StringComparison.Ordinal) && e.Contains("carries \"farm.v1.telemetry\"", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("farm/v1/s1/r07/unknown", StringComparison.Ordinal) && e.Contains("not part of the farm/v1 tree", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_last_will_with_an_older_seq_still_reaches_the_handler()
    {
        var handled = new List<AgentState>();
        await using MosquittoBroker broker = await MosquittoBroker.StartAsync();
        await using FarmMqttClient consumer = await MqttTestClients.ConnectAsync(broker, "consumer");
        var subscriber = new FarmSubscriber(consumer, (m, _) =>
        {
            handled.Add(((AgentStatusPayload)m.Payload).State);
            return Task.CompletedTask;
        });
        AgentStatusPayload Status(AgentState state, long seq) => new() { Publisher = "agent-s1-r07", Seq = seq, Timestamp = DateTimeOffset.UtcNow, Site = "s1", Rack = "r07", State = state };
        string topic = FarmTopics.AgentStatus("s1", "r07");
        await subscriber.HandleAsync(new MqttApplicationMessage { Topic = topic, Payload = JsonSerializer.SerializeToUtf8Bytes(Status(AgentState.Online, 10), FarmJsonContext.Default.AgentStatusPayload) }, CancellationToken.None);
        await subscriber.HandleAsync(new MqttApplicationMessage { Topic = topic, Payload = JsonSerializer.SerializeToUtf8Bytes(Status(AgentState.Offline, 1), FarmJsonContext.Default.AgentStatusPayload) }, CancellationToken.None);
        Assert.Equal([AgentState.Online, AgentState.Offline], handled);
    }

    [Theory]
    [InlineData("\"pools\":[null]", "\"pools[0]\" is null")]
    [InlineData("\"pools\":[{\"index\":0,\"url\":null}]", "\"pools[0].url\" is null")]
    [InlineData("\"boards\":[null]", "\"boards[0]\" is null")]
    [InlineData("\"warnings\":[\"ok\",null]", "\"warnings[1]\" is null")]
    public async Task Telemetry_with_a_null_where_the_contract_has_a_value_is_dropped_as_malformed(string member, string problem)
    {
        var logs = new InMemoryLoggerProvider();
        using ILoggerFactory factory = LoggerFactory.Create(b => b.AddProvider(logs));
        int handled = 0;
        await using var client = new FarmMqttClient(new CloudMining.Farm.Mqtt.Client.Options.MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", 1).WithClientId("never-connected").Build());
        var subscriber = new FarmSubscriber(client, (_, _) => { handled++; return Task.CompletedTask; }, factory.CreateLogger<FarmSubscriber>());
        string json = "{\"schema\":\"farm.v1.telemetry\",\"publisher\":\"agent-s1-r07\",\"seq\":1,\"ts\":\"2026-12-05T12:00:00Z\","
            + "\"site\":\"s1\",\"rack\":\"r07\",\"minerId\":\"m1\",\"profile\":\"antminer\"," + member + "}";

        await subscriber.HandleAsync(new MqttApplicationMessage { Topic = FarmTopics.MinerTelemetry("s1", "r07", "m1"), Payload = Encoding.UTF8.GetBytes(json) }, CancellationToken.None);

        Assert.Equal(0, handled);
        Assert.Equal(1, subscriber.Malformed);
        Assert.Contains(logs.Records, r => r.Level == LogLevel.Error && r.Message.Contains(problem, StringComparison.Ordinal));
    }

    [Fact]
    public async Task With_options_a_refusal_goes_to_the_consumer_instead_of_the_log_and_re_deliveries_can_be_kept()
    {
        var logs = new InMemoryLoggerProvider();
        using ILoggerFactory factory = LoggerFactory.Create(b => b.AddProvider(logs));
        var handled = new List<long>();
        var refused = new List<FarmRejectedMessage>();
        await using var client = new FarmMqttClient(new CloudMining.Farm.Mqtt.Client.Options.MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", 1).WithClientId("never-connected").Build());
        var subscriber = new FarmSubscriber(
            client,
            (m, _) => { handled.Add(m.Payload.Seq); return Task.CompletedTask; },
            new FarmSubscriberOptions { MaxPayloadBytes = 2048, DropDuplicates = false, Rejected = (r, _) => { refused.Add(r); return Task.CompletedTask; } },
            factory.CreateLogger<FarmSubscriber>());
        string topic = FarmTopics.MinerState("s1", "r07", "m1");
        MqttApplicationMessage Message(string t, byte[] payload) => new() { Topic = t, Payload = payload };
        byte[] state = JsonSerializer.SerializeToUtf8Bytes(State(5), FarmJsonContext.Default.MinerStatePayload);

        await subscriber.HandleAsync(Message(topic, state), CancellationToken.None);
        await subscriber.HandleAsync(Message(topic, state), CancellationToken.None);                            // kept: no seq filter
        await subscriber.HandleAsync(Message(topic, new byte[4096]), CancellationToken.None);                  // over the limit, never parsed
        await subscriber.HandleAsync(Message(FarmTopics.MinerState("s1", "r08", "m1"), state), CancellationToken.None); // another rack's topic
        await subscriber.HandleAsync(Message(topic, Encoding.UTF8.GetBytes("[1]")), CancellationToken.None);

        Assert.Equal([5L, 5L], handled);
        Assert.Equal([FarmRejection.TooLarge, FarmRejection.Misattributed, FarmRejection.Malformed], refused.Select(r => r.Kind));
        Assert.Equal("the payload is 4096 bytes; at most 2048 are read", refused[0].Problem);
        Assert.Equal(5, Assert.IsType<MinerStatePayload>(refused[1].Payload).Seq);
        Assert.StartsWith("not valid farm.v1.miner-state JSON", refused[2].Problem, StringComparison.Ordinal);
        Assert.Equal((2, 1), (subscriber.Malformed, subscriber.Misattributed));
        Assert.Empty(logs.Records);
    }

    [Fact]
    public async Task Telemetry_whose_lists_are_absent_or_null_reads_them_as_empty()
    {
        FarmReceivedMessage? received = null;
        await using var client = new FarmMqttClient(new CloudMining.Farm.Mqtt.Client.Options.MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", 1).WithClientId("never-connected").Build());
        var subscriber = new FarmSubscriber(client, (m, _) => { received = m; return Task.CompletedTask; });
        string json = "{\"schema\":\"farm.v1.telemetry\",\"publisher\":\"agent-s1-r07\",\"seq\":1,\"ts\":\"2026-12-05T12:00:00Z\","
            + "\"site\":\"s1\",\"rack\":\"r07\",\"minerId\":\"m1\",\"profile\":\"antminer\",\"pools\":null,\"fans\":null}";

        await subscriber.HandleAsync(new MqttApplicationMessage { Topic = FarmTopics.MinerTelemetry("s1", "r07", "m1"), Payload = Encoding.UTF8.GetBytes(json) }, CancellationToken.None);

        var telemetry = Assert.IsType<MinerTelemetryPayload>(received?.Payload);
        Assert.Empty(telemetry.Pools);
        Assert.Empty(telemetry.Fans);
        Assert.Empty(telemetry.Boards);
        Assert.Empty(telemetry.Warnings);
    }
}
