using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using CloudMining.Farm.Bench.Mqtt;
using CloudMining.Farm.Controller.Configuration;
using CloudMining.Farm.Controller.History;
using CloudMining.Farm.Controller.Ingest;
using CloudMining.Farm.Influx.Client;
using CloudMining.Farm.Mqtt.Client;
using CloudMining.Farm.Mqtt.Client.Options;
using CloudMining.Farm.Mqtt.Messages;
using CloudMining.Farm.Mqtt.Subscription;
using CloudMining.Farm.Shared.Wire;

namespace CloudMining.Farm.Bench.Controller;

/// <summary>
/// <c>controller-ingest [--messages N] [--miners M] [--rounds R] [--broker]</c>: telemetry ingest rate of the controller.
/// In-process: N realistic telemetry payloads (3 boards, 4 fans, 3 pools with difficulty counters) go through the exact
/// path a received MQTT message takes (<see cref="FarmSubscriber.HandleAsync"/>: topic parse, JSON parse and schema
/// check, duplicate filter, then <see cref="IngestService.HandleAsync"/>: <see cref="FleetState.Apply"/>; history off).
/// With --broker, the same payloads are also published to a private mosquitto at QoS 0 and the controller's real
/// <see cref="IngestService"/> counts them in.
/// </summary>
public static class ControllerIngestHarness
{
    public static async Task<int> RunAsync(string[] args)
    {
        int messages = 200_000;
        int miners = 10_000;
        int rounds = 5;
        bool broker = args.Contains("--broker");
        for (int i = 0; i < args.Length - 1; i++)
        {
            switch (args[i])
            {
                case "--messages": messages = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--miners": miners = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--rounds": rounds = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
            }
        }

        MqttApplicationMessage[] data = Generate(messages, miners);
        Console.WriteLine($"controller-ingest: {messages} telemetry messages over {miners} miners, {data.Average(m => m.Payload.Length):0} bytes each");

        var rates = new List<double>();
        var cpuRates = new List<double>();
        for (int round = 0; round < rounds + 1; round++)
        {
            (double rate, double cpuRate, long applied, int fleetMiners) = await InProcessAsync(data);
            if (applied != messages || fleetMiners != Math.Min(miners, messages))
            {
                Console.Error.WriteLine($"controller-ingest: applied {applied} of {messages} messages, fleet holds {fleetMiners} miners: the run is invalid.");
                return 1;
            }

            // Round 0 warms the JIT up (tier-1, as in a long-running service) and is not counted.
            if (round > 0)
            {
                rates.Add(rate);
                cpuRates.Add(cpuRate);
                Console.WriteLine($"  in-process round {round}: {rate:N0} messages/s wall clock, {cpuRate:N0} per CPU-second of the process");
            }
        }

        rates.Sort();
        cpuRates.Sort();

        // The per-CPU-second figure is what one core sustains, whatever else shares the machine (the wall-clock one drops with load).
        Console.WriteLine($"in-process (parse + duplicate filter + fleet state): median {rates[rates.Count / 2]:N0} messages/s wall clock, {cpuRates[cpuRates.Count / 2]:N0} per CPU-second, over {rounds} rounds (target >= 50,000)");

        if (broker)
        {
            double viaBroker = await ThroughBrokerAsync(data);
            Console.WriteLine($"through mosquitto (QoS 0, one publisher, the controller's IngestService): {viaBroker:N0} messages/s");
        }

        return 0;
    }

    private static async Task<(double Rate, double CpuRate, long Applied, int Miners)> InProcessAsync(MqttApplicationMessage[] data)
    {
        var fleet = new FleetState();
        await using var history = new HistoryWriter(new InfluxDBClientOptions { Enabled = false });
        var ingest = new IngestService(new ControllerOptions { Site = "s1" }, fleet, history);

        // The subscriber needs a client to attach to; it is never connected: messages are handed to it directly.
        await using var client = new FarmMqttClient(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", 1).WithClientId("bench").Build());
        var subscriber = new FarmSubscriber(client, ingest.HandleAsync);
        using Process self = Process.GetCurrentProcess();
        TimeSpan cpuBefore = self.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        foreach (MqttApplicationMessage message in data)
        {
            await subscriber.HandleAsync(message, CancellationToken.None);
        }

        clock.Stop();
        self.Refresh();
        TimeSpan cpu = self.TotalProcessorTime - cpuBefore;
        int fleetMiners = fleet.Racks().Sum(r => r.Miners.Count);
        return (data.Length / clock.Elapsed.TotalSeconds, data.Length / cpu.TotalSeconds, subscriber.Delivered, fleetMiners);
    }

    private static async Task<double> ThroughBrokerAsync(MqttApplicationMessage[] data)
    {
        await using BenchBroker mosquitto = await BenchBroker.StartAsync();
        var fleet = new FleetState();
        await using var history = new HistoryWriter(new InfluxDBClientOptions { Enabled = false });
        var options = new ControllerOptions { Site = "s1", Mqtt = new ControllerMqttOptions { Host = "127.0.0.1", Port = mosquitto.Port, ClientId = "bench-controller" } };
        using var ingest = new IngestService(options, fleet, history);
        await ingest.StartAsync(CancellationToken.None);
        await ingest.Subscribed;
        await using var publisher = new FarmMqttClient(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", mosquitto.Port).WithClientId("bench-agents").WithMaxInflight(1024).Build());
        await publisher.ConnectAsync();
        var clock = Stopwatch.StartNew();
        foreach (MqttApplicationMessage message in data)
        {
            await publisher.PublishAsync(message with { Qos = MqttQualityOfServiceLevel.AtMostOnce });
        }

        var deadline = Stopwatch.StartNew();
        while (ingest.Subscriber!.Delivered < data.Length && deadline.Elapsed < TimeSpan.FromSeconds(120))
        {
            await Task.Delay(5);
        }

        double rate = ingest.Subscriber.Delivered / clock.Elapsed.TotalSeconds;
        if (ingest.Subscriber.Delivered < data.Length)
        {
            Console.WriteLine($"  (QoS 0: {data.Length - ingest.Subscriber.Delivered} of {data.Length} messages did not arrive within 120 s)");
        }

        await ingest.StopAsync(CancellationToken.None);
        return rate;
    }

    private static MqttApplicationMessage[] Generate(int messages, int miners)
    {
        DateTimeOffset t0 = new(2026, 11, 22, 0, 0, 0, TimeSpan.Zero);
        var result = new MqttApplicationMessage[messages];
        for (int i = 0; i < messages; i++)
        {
            int miner = i % miners;
            string rack = "r" + (miner / 40).ToString("000", CultureInfo.InvariantCulture);
            string minerId = "m" + miner.ToString("00000", CultureInfo.InvariantCulture);
            int poll = i / miners;
            var payload = new MinerTelemetryPayload
            {
                Publisher = "agent-s1-" + rack,
                Seq = i + 1,
                Timestamp = t0.AddSeconds(poll * 10),
                Site = "s1",
                Rack = rack,
                MinerId = minerId,
                Profile = "antminer",
                Model = "Antminer S19j Pro",
                Firmware = "Antminer S19j Pro 2023-03",
                ReadAt = t0.AddSeconds(poll * 10),
                Hashrate5sHs = 100.3e12,
                HashrateAverageHs = 100e12,
                HashrateNominalHs = 104e12,
                PowerW = 3050,
                MaxChipTempC = 71.5,
                UptimeS = 86400 + (poll * 10),
                HardwareErrors = 12,
                Boards = [.. Enumerable.Range(0, 3).Select(b => new TelemetryBoard { Index = b, HashrateHs = 33.4e12, ChipTempC = 70 + b, BoardTempC = 55 + b, Chips = 126, HardwareErrors = 4, Status = "ok" })],
                Fans = [.. Enumerable.Range(0, 4).Select(f => new TelemetryFan(f, 5400 + f, 80))],
                Pools = [.. Enumerable.Range(0, 3).Select(p => new TelemetryPool
                {
                    Index = p,
                    Url = $"stratum+tcp://pool{p}.example.com:3333",
                    User = "acct.worker" + p.ToString(CultureInfo.InvariantCulture),
                    Status = "Alive",
                    Priority = p,
                    Active = p == 0,
                    Accepted = 1000 + poll,
                    Rejected = 3,
                    Stale = 1,
                    DifficultyAccepted = 6.5e9 + (poll * 2.3e5),
                    DifficultyRejected = 1.2e7,
                    DifficultyStale = 4.1e6,
                })],
            };
            result[i] = new MqttApplicationMessage
            {
                Topic = FarmTopics.MinerTelemetry("s1", rack, minerId),
                Payload = JsonSerializer.SerializeToUtf8Bytes(payload, FarmJsonContext.Default.MinerTelemetryPayload),
            };
        }

        return result;
    }
}
