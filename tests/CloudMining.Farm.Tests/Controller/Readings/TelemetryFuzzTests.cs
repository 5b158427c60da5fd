using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using CloudMining.Farm.ControlApi;
using CloudMining.Farm.Controller.Api;
using CloudMining.Farm.Controller.Configuration;
using CloudMining.Farm.Controller.Fleet;
using CloudMining.Farm.Controller.History;
using CloudMining.Farm.Controller.Ingest;
using CloudMining.Farm.Controller.Operations;
using CloudMining.Farm.Influx.Client;
using CloudMining.Farm.Mqtt.Client;
using CloudMining.Farm.Mqtt.Client.Options;
using CloudMining.Farm.Mqtt.Subscription;
using CloudMining.Farm.Shared.Wire;
using CloudMining.Farm.Shared.MinerApi;
using CloudMining.Farm.Tests.Controller.Engine;
using CloudMining.Farm.Tests.Firmware;
using Xunit;

namespace CloudMining.Farm.Tests.Controller.Readings;

/// <summary>
/// 10,000 seeded random mutations of real telemetry payloads (the contract sample and every captured miner, decoded as
/// the agent does) through FarmSubscriber → IngestService → FleetState → the engine's capacity and allocation.
/// </summary>
public sealed partial class TelemetryFuzzTests
{
    private const int Mutations = 10_000;
    private const int MinerCount = 12;

    private static readonly string[] Literals =
    [
        "1e300", "1e320", "1e999", "-1e999", "-5", "0", "-0", "4.9e-324", "1.7976931348623157e308", "99999999999999999999999", "NaN", "Infinity",
        "\"12\"", "\"\"", "null", "true", "[]", "{}", "[1e300]", "{\"a\":1e999}",
    ];

    [GeneratedRegex(@"-?\d+(\.\d+)?([eE][+-]?\d+)?")]
    private static partial Regex NumberToken();

    /// <summary>Real payload shapes: the contract sample snapshot and every fixture that decodes to a snapshot.</summary>
    private static List<Shared.Snapshots.MinerSnapshot> Snapshots()
    {
        var list = new List<Shared.Snapshots.MinerSnapshot> { Wire.WireSamples.Snapshot() };
        foreach (string folder in FixtureMiner.Folders())
        {
            (_, MinerReadResult result) = FixtureMiner.Decode(folder);
            if (result.IsSuccess && result.Snapshot.Hashrate5s is not null)
            {
                list.Add(result.Snapshot);
            }
        }

        return list;
    }

    [Fact]
    public Task Ten_thousand_mutated_telemetry_payloads_never_escape_nor_inflate_capacity() => FuzzAsync(rawBytes: false);

    // Found by this fuzzer: a payload whose "schema" string is not valid UTF-8 made FarmSubscriber.Parse throw
    // InvalidOperationException ("Cannot transcode invalid UTF-8 JSON text") past its JsonException catch.
    [Fact]
    public Task Mutations_with_invalid_utf8_bytes_never_escape() => FuzzAsync(rawBytes: true);

    private static async Task FuzzAsync(bool rawBytes)
    {
        var random = new Random(424242);
        List<Shared.Snapshots.MinerSnapshot> snapshots = Snapshots();
        await using EngineFarm farm = await EngineFarm.StartAsync();
        await using var history = new HistoryWriter(new InfluxDBClientOptions());
        using var ingest = new IngestService(new ControllerOptions { Site = EngineFarm.Site }, farm.Fleet, history, time: farm.Clock);
        await using var client = new FarmMqttClient(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", 1).WithClientId("never-connected").Build());
        var subscriber = new FarmSubscriber(client, ingest.HandleAsync);
        var envelope = new ReadingEnvelope();
        long seq = 0;

        byte[] Payload(int miner, Shared.Snapshots.MinerSnapshot snapshot) =>
            JsonSerializer.SerializeToUtf8Bytes(
                MinerTelemetryPayload.From(snapshot, EngineFarm.Site, Rack(miner), $"m{miner:00}", "agent-s1-" + Rack(miner), ++seq, farm.Clock.GetUtcNow()),
                FarmJsonContext.Default.MinerTelemetryPayload);

        Task FeedAsync(int miner, byte[] payload) => subscriber.HandleAsync(
            new MqttApplicationMessage { Topic = FarmTopics.MinerTelemetry(EngineFarm.Site, Rack(miner), $"m{miner:00}"), Payload = payload },
            CancellationToken.None);

        // A healthy fleet first, and a contract on it, so every tick below also runs the allocator with something to serve.
        for (int m = 0; m < MinerCount; m++)
        {
            await FeedAsync(m, Payload(m, Wire.WireSamples.Snapshot()));
        }

        foreach (IGrouping<string, int> rack in Enumerable.Range(0, MinerCount).GroupBy(Rack))
        {
            farm.Capable(rack.Key, rack.Select(m => $"m{m:00}"));
        }

        await farm.Engine.TickAsync(CancellationToken.None);
        await farm.AddContractAsync("fuzzed", 300);

        for (int i = 0; i < Mutations; i++)
        {
            int miner = random.Next(MinerCount);
            byte[] payload = Mutate(Payload(miner, snapshots[random.Next(snapshots.Count)]), random, rawBytes);
            await FeedAsync(miner, payload);
            if (i % 500 == 499)
            {
                farm.Clock.Advance(TimeSpan.FromSeconds(5));
                await farm.Engine.TickAsync(CancellationToken.None);
                await AssertCapacityWithinPlausibleAsync(farm, envelope);
            }
        }

        Assert.Equal(Mutations + MinerCount, subscriber.Received);
        Assert.Equal(0, subscriber.HandlerFailures);
        Assert.True(subscriber.Malformed > Mutations / 10, $"only {subscriber.Malformed} of {Mutations} mutations were malformed: the fuzzer is too gentle");

        // Still responsive: a tick and every view complete, and every view serialises (no infinity, no NaN).
        await farm.Engine.TickAsync(CancellationToken.None);
        await AssertCapacityWithinPlausibleAsync(farm, envelope);
        JsonSerializer.Serialize(await farm.Engine.GetFleetAsync(CancellationToken.None), ApiJsonContext.Default.FleetView);
        JsonSerializer.Serialize(await farm.Engine.GetAllocationAsync(CancellationToken.None), ApiJsonContext.Default.AllocationView);
        JsonSerializer.Serialize(await farm.Engine.RebalanceAsync(apply: false, CancellationToken.None), ApiJsonContext.Default.RebalanceView);
    }

    private static string Rack(int miner) => $"r{(miner % 3) + 1}";

    private static async Task AssertCapacityWithinPlausibleAsync(EngineFarm farm, ReadingEnvelope envelope)
    {
        CapacityView capacity = await farm.Engine.GetCapacityAsync(CancellationToken.None);
        double plausible = 0;
        foreach (RackLiveState rack in farm.Fleet.Racks().Where(r => r.Site == EngineFarm.Site))
        {
            foreach (MinerLiveState live in rack.Miners)
            {
                if (envelope.Problem(live) is null && (live.HashrateAverageHs ?? live.Hashrate5sHs) is { } hs && hs > 0)
                {
                    plausible += hs;
                }
            }
        }

        Assert.True(capacity.MeasuredHealthyHs <= plausible, $"capacity {capacity.MeasuredHealthyHs} H/s > plausible {plausible} H/s");
        Assert.True(capacity.UnitsTotal <= Math.Floor(plausible / capacity.UnitSizeHs), $"{capacity.UnitsTotal} units from {plausible} H/s");
        JsonSerializer.Serialize(capacity, ApiJsonContext.Default.CapacityView);
    }

    /// <summary>One to three mutations: a number swapped for an extreme or mistyped literal, a flipped, deleted, inserted or duplicated span, a cut.</summary>
    private static byte[] Mutate(byte[] payload, Random random, bool rawBytes)
    {
        string text = Encoding.UTF8.GetString(payload);
        for (int n = random.Next(1, 4); n > 0; n--)
        {
            int at = random.Next(text.Length);
            switch (random.Next(7))
            {
                case 0:
                case 1:
                    MatchCollection numbers = NumberToken().Matches(text);
                    if (numbers.Count > 0)
                    {
                        Match m = numbers[random.Next(numbers.Count)];
                        text = string.Concat(text.AsSpan(0, m.Index), Literals[random.Next(Literals.Length)], text.AsSpan(m.Index + m.Length));
                    }

                    break;
                case 2:
                    char[] chars = text.ToCharArray();
                    chars[at] = (char)random.Next(0x20, 0x7f);
                    text = new string(chars);
                    break;
                case 3:
                    text = text.Remove(at, random.Next(0, Math.Min(16, text.Length - at)));
                    break;
                case 4:
                    text = text.Insert(at, Literals[random.Next(Literals.Length)]);
                    break;
                case 5:
                    int length = random.Next(0, Math.Min(64, text.Length - at));
                    text = text.Insert(at, text.Substring(at, length));
                    break;
                default:
                    text = text[..at];
                    break;
            }

            if (text.Length == 0)
            {
                break;
            }
        }

        byte[] bytes = Encoding.UTF8.GetBytes(text);
        if (rawBytes && random.Next(20) == 0 && bytes.Length > 0)
        {
            // Now and then raw bytes that are not UTF-8 at all.
            bytes[random.Next(bytes.Length)] = (byte)random.Next(0x80, 0x100);
        }

        return bytes;
    }
}
