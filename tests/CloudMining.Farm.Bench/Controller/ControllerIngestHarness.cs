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
/// <c>controller-ingest [--messages N] [--miners M] [--rounds R] [--broker] [--qos 0|1] [--publisher mqttnet|raw|mosquitto_pub]
/// [--publishers P] [--no-breakdown] [--batch] [--rack-size K] [--cycles C]</c>:
/// telemetry ingest rate of the controller.
/// In-process: N realistic telemetry payloads (3 boards, 4 fans, 3 pools with difficulty counters) go through the exact
/// path a received MQTT message takes (<see cref="FarmSubscriber.HandleAsync"/>: topic parse, JSON parse and schema
/// check, duplicate filter, then <see cref="IngestService.HandleAsync"/>: <see cref="FleetState.Apply"/>; history off).
/// With --broker, the same payloads are also published to a private mosquitto at QoS 0 and the controller's real
/// <see cref="IngestService"/> counts them in (with the CPU the bench process — publisher and controller — and mosquitto
/// spent). --publisher chooses the load generator of that phase (<see cref="IngestPublisher"/>; raw and mosquitto_pub at
/// QoS 0 only, P connections or processes split by miner) and the controller's CPU is reported apart from the
/// publisher's. With --batch, the same M miners are also sent as rack batches (<see cref="TelemetryBatchPayload"/>, K miners a
/// rack, C cycles) through mosquitto, and the readings folded per second are reported beside the per-miner figure.
/// </summary>
public static partial class ControllerIngestHarness
{
    public static async Task<int> RunAsync(string[] args)
    {
        int messages = 200_000;
        int miners = 10_000;
        int rounds = 5;
        bool broker = args.Contains("--broker");
        bool batch = args.Contains("--batch");
        bool breakdown = !args.Contains("--no-breakdown");
        var qos = MqttQualityOfServiceLevel.AtMostOnce;
        int rackSize = 40;
        int cycles = 100;
        var publisherKind = IngestPublisher.MqttNet;
        int publishers = 1;
        for (int i = 0; i < args.Length - 1; i++)
        {
            switch (args[i])
            {
                case "--messages": messages = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--miners": miners = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--rounds": rounds = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--qos": qos = args[i + 1] == "1" ? MqttQualityOfServiceLevel.AtLeastOnce : MqttQualityOfServiceLevel.AtMostOnce; break;
                case "--rack-size": rackSize = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--cycles": cycles = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--publisher": publisherKind = IngestLoad.Parse(args[i + 1]); break;
                case "--publishers": publishers = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
            }
        }

        if (publisherKind != IngestPublisher.MqttNet && qos != MqttQualityOfServiceLevel.AtMostOnce)
        {
            Console.Error.WriteLine("controller-ingest: --publisher raw and mosquitto_pub publish at QoS 0 only; use --publisher mqttnet for --qos 1.");
            return 2;
        }

        if (publisherKind == IngestPublisher.MosquittoPub && publishers != miners)
        {
            Console.Error.WriteLine($"controller-ingest: mosquitto_pub publishes on one topic a process: give --publishers {miners} (= --miners), or fewer miners.");
            return 2;
        }

        MqttApplicationMessage[] data = Generate(messages, miners);
        Console.WriteLine($"controller-ingest: {messages} telemetry messages over {miners} miners, {data.Average(m => m.Payload.Length):0} bytes each");

        var rates = new List<double>();
        var cpuRates = new List<double>();
        var threadRates = new List<double>();
        for (int round = 0; round < rounds + 1; round++)
        {
            (double rate, double cpuRate, double threadRate, long applied, int fleetMiners) = await InProcessAsync(data);
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
                threadRates.Add(threadRate);
                Console.WriteLine($"  in-process round {round}: {rate:N0} messages/s wall clock, {cpuRate:N0} per CPU-second of the process, {threadRate:N0} per CPU-second of the ingest thread");
            }
        }

        rates.Sort();
        cpuRates.Sort();
        threadRates.Sort();

        // The per-CPU-second figure is what one core sustains, whatever else shares the machine (the wall-clock one drops with load).
        Console.WriteLine($"in-process (parse + duplicate filter + fleet state): median {rates[rates.Count / 2]:N0} messages/s wall clock, {cpuRates[cpuRates.Count / 2]:N0} per CPU-second, over {rounds} rounds (target >= 50,000)");

        // The thread's own CPU time (getrusage RUSAGE_THREAD) counts only while it ran: neighbours that take the core
        // away do not inflate it, background GC and JIT threads are not in it (gen0/1 collections run on this thread).
        Console.WriteLine($"in-process, per CPU-second of the ingest thread: median {threadRates[threadRates.Count / 2]:N0} messages/s ({1e6 / threadRates[threadRates.Count / 2]:0.0} µs a message)");
        if (breakdown)
        {
            await BreakdownAsync(data);
        }

        if (broker)
        {
            (double viaBroker, double benchCpu, double brokerCpu) = await ThroughBrokerAsync(data, qos);
            Console.WriteLine($"through mosquitto (QoS {(int)qos}, one publisher, the controller's IngestService): {viaBroker:N0} messages/s");
            Console.WriteLine($"  CPU: bench process (publisher + controller) {benchCpu:0.00} s, mosquitto {brokerCpu:0.00} s for {data.Length:N0} messages: {data.Length / benchCpu:N0} messages per CPU-second of the bench process");
            if (publisherKind != IngestPublisher.MqttNet)
            {
                // The first pass JIT-compiles and tiers up the receive path (as round 0 does in process); the second counts.
                await ThroughBrokerCheapAsync(data, miners, publisherKind, publishers, "warm-up pass, not counted: ");
                await ThroughBrokerCheapAsync(data, miners, publisherKind, publishers, string.Empty);
            }
        }

        if (batch)
        {
            await BatchesAsync(miners, rackSize, cycles, qos, broker ? null : data);
        }

        return 0;
    }

    private static async Task<(double Rate, double CpuRate, double ThreadRate, long Applied, int Miners)> InProcessAsync(MqttApplicationMessage[] data)
    {
        var fleet = new FleetState();
        await using var history = new HistoryWriter(new InfluxDBClientOptions { Enabled = false });
        var ingest = new IngestService(new ControllerOptions { Site = "s1" }, fleet, history);

        // The subscriber needs a client to attach to; it is never connected: messages are handed to it directly.
        await using var client = new FarmMqttClient(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", 1).WithClientId("bench").Build());
        var subscriber = new FarmSubscriber(client, ingest.HandleAsync);
        using Process self = Process.GetCurrentProcess();
        TimeSpan cpuBefore = self.TotalProcessorTime;
        TimeSpan threadBefore = ThreadCpu();
        var clock = Stopwatch.StartNew();
        foreach (MqttApplicationMessage message in data)
        {
            // Completes synchronously (the controller's handler does), so the loop stays on this thread.
            await subscriber.HandleAsync(message, CancellationToken.None);
        }

        clock.Stop();
        TimeSpan threadCpu = ThreadCpu() - threadBefore;
        self.Refresh();
        TimeSpan cpu = self.TotalProcessorTime - cpuBefore;
        int fleetMiners = fleet.Racks().Sum(r => r.Miners.Count);
        return (data.Length / clock.Elapsed.TotalSeconds, data.Length / cpu.TotalSeconds, data.Length / threadCpu.TotalSeconds, subscriber.Delivered, fleetMiners);
    }

    private static async Task<(double Rate, double BenchCpu, double BrokerCpu)> ThroughBrokerAsync(MqttApplicationMessage[] data, MqttQualityOfServiceLevel qos)
    {
        await using BenchBroker mosquitto = await BenchBroker.StartAsync();
        await using BrokerIngest controller = await BrokerIngest.StartAsync(mosquitto.Port);
        IngestService ingest = controller.Ingest;
        await using var publisher = new FarmMqttClient(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", mosquitto.Port).WithClientId("bench-agents").WithMaxInflight(1024).Build());
        await publisher.ConnectAsync();
        using Process self = Process.GetCurrentProcess();
        TimeSpan benchBefore = self.TotalProcessorTime;
        TimeSpan brokerBefore = mosquitto.CpuTime;
        var clock = Stopwatch.StartNew();
        await PublishAllAsync(publisher, data, qos);

        var deadline = Stopwatch.StartNew();
        while (ingest.Subscriber!.Delivered < data.Length && deadline.Elapsed < TimeSpan.FromSeconds(120))
        {
            await Task.Delay(5);
        }

        double rate = ingest.Subscriber.Delivered / clock.Elapsed.TotalSeconds;
        self.Refresh();
        double benchCpu = (self.TotalProcessorTime - benchBefore).TotalSeconds;
        double brokerCpu = (mosquitto.CpuTime - brokerBefore).TotalSeconds;
        if (ingest.Subscriber.Delivered < data.Length)
        {
            Console.WriteLine($"  (QoS {(int)qos}: {data.Length - ingest.Subscriber.Delivered} of {data.Length} messages did not arrive within 120 s)");
        }

        await ingest.StopAsync(CancellationToken.None);
        return (rate, benchCpu, brokerCpu);
    }

    /// <summary>
    /// The broker phase again with a cheap load generator (<see cref="IngestPublisher"/>), the controller's CPU apart:
    /// the bench process less the raw publisher threads' own CPU, or the whole bench process when mosquitto_pub
    /// processes publish. Also the controller's GCs, and the wall clock from the first publish to the last message in.
    /// </summary>
    private static async Task ThroughBrokerCheapAsync(MqttApplicationMessage[] data, int miners, IngestPublisher kind, int publishers, string label)
    {
        MqttApplicationMessage[][] parts = IngestLoad.ByMiner(data, miners, publishers);
        await using BenchBroker mosquitto = await BenchBroker.StartAsync();
        await using BrokerIngest controller = await BrokerIngest.StartAsync(mosquitto.Port);
        IngestService ingest = controller.Ingest;
        using Process self = Process.GetCurrentProcess();
        int gen0 = GC.CollectionCount(0), gen1 = GC.CollectionCount(1), gen2 = GC.CollectionCount(2);
        TimeSpan benchBefore = self.TotalProcessorTime;
        TimeSpan brokerBefore = mosquitto.CpuTime;
        var clock = Stopwatch.StartNew();
        Task<TimeSpan> publishing = kind == IngestPublisher.Raw
            ? Task.Factory.StartNew(() => IngestLoad.PublishRaw(mosquitto.Port, parts), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)
            : IngestLoad.PublishWithMosquittoPubAsync(mosquitto.Port, parts);
        var deadline = Stopwatch.StartNew();
        TimeSpan? publishedAt = null;
        while (ingest.Subscriber!.Delivered < data.Length && deadline.Elapsed < TimeSpan.FromSeconds(120))
        {
            publishedAt ??= publishing.IsCompleted ? clock.Elapsed : null;
            await Task.Delay(5);
        }

        TimeSpan wall = clock.Elapsed;
        TimeSpan publisherCpu = await publishing;
        TimeSpan published = publishedAt ?? clock.Elapsed;
        self.Refresh();
        double benchCpu = (self.TotalProcessorTime - benchBefore).TotalSeconds;
        double brokerCpu = (mosquitto.CpuTime - brokerBefore).TotalSeconds;
        long delivered = ingest.Subscriber.Delivered;
        await ingest.StopAsync(CancellationToken.None);
        double controllerCpu = kind == IngestPublisher.Raw ? benchCpu - publisherCpu.TotalSeconds : benchCpu;
        string who = kind == IngestPublisher.Raw ? $"{parts.Length} raw publisher thread(s) in the bench process" : $"{parts.Length} mosquitto_pub process(es)";
        Console.WriteLine($"{label}through mosquitto (QoS 0, {who}, the controller's IngestService): {delivered / wall.TotalSeconds:N0} messages/s wall clock ({delivered:N0} of {data.Length:N0} in {wall.TotalSeconds:0.00} s; publishers done at {published.TotalSeconds:0.00} s)");
        Console.WriteLine($"  {label}CPU: controller {controllerCpu:0.00} s = {delivered / controllerCpu:N0} messages per CPU-second of the controller ({1e6 * controllerCpu / Math.Max(1, delivered):0.0} µs a message; GCs gen0/1/2 {GC.CollectionCount(0) - gen0}/{GC.CollectionCount(1) - gen1}/{GC.CollectionCount(2) - gen2}); publisher {publisherCpu.TotalSeconds:0.00} s; mosquitto {brokerCpu:0.00} s ({1e6 * brokerCpu / Math.Max(1, delivered):0.0} µs a message); all three {controllerCpu + publisherCpu.TotalSeconds + brokerCpu:0.00} s");
        if (delivered < data.Length)
        {
            Console.Error.WriteLine($"controller-ingest: {data.Length - delivered} of {data.Length} messages did not arrive within 120 s: the cheap-publisher run is invalid.");
            Environment.ExitCode = 1;
        }
    }

    /// <summary>QoS 0 one after another (each completes once written); QoS 1 with up to the in-flight window outstanding.</summary>
    private static async Task PublishAllAsync(FarmMqttClient publisher, IEnumerable<MqttApplicationMessage> data, MqttQualityOfServiceLevel qos)
    {
        if (qos == MqttQualityOfServiceLevel.AtMostOnce)
        {
            foreach (MqttApplicationMessage message in data)
            {
                await publisher.PublishAsync(message with { Qos = qos });
            }

            return;
        }

        var pending = new Queue<Task>();
        foreach (MqttApplicationMessage message in data)
        {
            pending.Enqueue(publisher.PublishAsync(message with { Qos = qos }));
            if (pending.Count >= 1000)
            {
                await pending.Dequeue();
            }
        }

        await Task.WhenAll(pending);
    }

    /// <summary>
    /// The same fleet as rack batches through mosquitto (one batch per rack per cycle), the per-miner figure of the same
    /// run beside it (from <paramref name="perMiner"/> when the --broker run did not already give it).
    /// </summary>
    private static async Task BatchesAsync(int miners, int rackSize, int cycles, MqttQualityOfServiceLevel qos, MqttApplicationMessage[]? perMiner)
    {
        MqttApplicationMessage[] batches = GenerateBatches(miners, rackSize, cycles);
        long readings = (long)miners * cycles;
        Console.WriteLine($"batches: {batches.Length:N0} messages ({rackSize} miners a rack, {cycles} cycles of {miners:N0} miners = {readings:N0} readings), {batches.Average(m => m.Payload.Length):N0} bytes each ({batches.Average(m => m.Payload.Length) / rackSize:N0} bytes a reading)");
        await BatchBreakdownAsync(batches[..Math.Min(batches.Length, 100_000 / rackSize)], rackSize);
        if (perMiner is not null)
        {
            (double rate, double cpu, _) = await ThroughBrokerAsync(perMiner, qos);
            Console.WriteLine($"through mosquitto (QoS {(int)qos}, per-miner telemetry, same run): {rate:N0} messages/s = readings/s; {perMiner.Length / cpu:N0} per CPU-second of the bench process");
        }

        await using BenchBroker mosquitto = await BenchBroker.StartAsync();
        using Process self = Process.GetCurrentProcess();

        // The publisher's share: the same batches published before anyone subscribes (mosquitto reads and drops them).
        await using var publisher = new FarmMqttClient(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", mosquitto.Port).WithClientId("bench-agents").WithMaxInflight(1024).Build());
        await publisher.ConnectAsync();
        TimeSpan publishBefore = self.TotalProcessorTime;
        TimeSpan brokerPublishBefore = mosquitto.CpuTime;
        var publishClock = Stopwatch.StartNew();
        await PublishAllAsync(publisher, batches, qos);
        publishClock.Stop();
        self.Refresh();
        double publishCpu = (self.TotalProcessorTime - publishBefore).TotalSeconds;
        double brokerPublishCpu = (mosquitto.CpuTime - brokerPublishBefore).TotalSeconds;
        Console.WriteLine($"  publisher alone (no subscriber): {publishCpu:0.00} s CPU of the bench process, mosquitto {brokerPublishCpu:0.00} s, {publishClock.Elapsed.TotalSeconds:0.00} s wall clock for {batches.Length:N0} batches");

        await using BrokerIngest controller = await BrokerIngest.StartAsync(mosquitto.Port);
        (FleetState fleet, IngestService ingest) = (controller.Fleet, controller.Ingest);
        int gen0 = GC.CollectionCount(0), gen1 = GC.CollectionCount(1), gen2 = GC.CollectionCount(2);
        self.Refresh();
        TimeSpan benchBefore = self.TotalProcessorTime;
        TimeSpan brokerBefore = mosquitto.CpuTime;
        var clock = Stopwatch.StartNew();
        await PublishAllAsync(publisher, batches, qos);
        var deadline = Stopwatch.StartNew();
        while (ingest.Batches.Readings < readings && deadline.Elapsed < TimeSpan.FromSeconds(120))
        {
            await Task.Delay(5);
        }

        TimeSpan wall = clock.Elapsed;
        self.Refresh();
        double benchCpu = (self.TotalProcessorTime - benchBefore).TotalSeconds;
        double brokerCpu = (mosquitto.CpuTime - brokerBefore).TotalSeconds;
        long folded = ingest.Batches.Readings;
        int fleetMiners = fleet.Racks().Sum(r => r.Miners.Count);
        await ingest.StopAsync(CancellationToken.None);
        Console.WriteLine($"through mosquitto (QoS {(int)qos}, rack batches): {folded / wall.TotalSeconds:N0} readings/s wall clock ({ingest.Subscriber!.Delivered:N0} batches, {folded:N0} of {readings:N0} readings folded, {ingest.Batches.Rejected} rejected, fleet holds {fleetMiners:N0} miners) = {folded / wall.TotalSeconds * 10:N0} readings per 10 s cycle (target >= 1,000,000)");
        Console.WriteLine($"  CPU: bench process (publisher + controller) {benchCpu:0.00} s, mosquitto {brokerCpu:0.00} s: {folded / benchCpu:N0} readings per CPU-second of the bench process; less the publisher alone, the controller ≈ {benchCpu - publishCpu:0.00} s = {folded / Math.Max(0.01, benchCpu - publishCpu):N0} readings per CPU-second; GCs gen0/1/2 {GC.CollectionCount(0) - gen0}/{GC.CollectionCount(1) - gen1}/{GC.CollectionCount(2) - gen2}, {GC.GetTotalPauseDuration().TotalSeconds:0.00} s paused in all");
        if (folded < readings || fleetMiners != miners)
        {
            Console.Error.WriteLine("controller-ingest: not every batched reading arrived: the batch run is invalid.");
            Environment.ExitCode = 1;
        }
    }

    /// <summary>A batch reading's cost on the ingest thread's CPU, in process: deserialization alone, then the whole path into the fleet.</summary>
    private static async Task BatchBreakdownAsync(MqttApplicationMessage[] batches, int rackSize)
    {
        double PerReading(Action<MqttApplicationMessage> work)
        {
            TimeSpan before = ThreadCpu();
            foreach (MqttApplicationMessage m in batches)
            {
                work(m);
            }

            return (ThreadCpu() - before).TotalMicroseconds / ((double)batches.Length * rackSize);
        }

        PerReading(m => _ = JsonSerializer.Deserialize(m.Payload.Span, FarmJsonContext.Default.TelemetryBatchPayload));
        long allocated = GC.GetAllocatedBytesForCurrentThread();
        double deserialize = PerReading(m => _ = JsonSerializer.Deserialize(m.Payload.Span, FarmJsonContext.Default.TelemetryBatchPayload));
        double bytesPerReading = (GC.GetAllocatedBytesForCurrentThread() - allocated) / ((double)batches.Length * rackSize);
        var fleet = new FleetState();
        await using var history = new HistoryWriter(new InfluxDBClientOptions { Enabled = false });
        using var ingest = new IngestService(new ControllerOptions { Site = "s1" }, fleet, history);
        await using var client = new FarmMqttClient(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", 1).WithClientId("bench").Build());
        var subscriber = new FarmSubscriber(client, ingest.HandleAsync);
        double first = PerReading(m => subscriber.HandleAsync(m, CancellationToken.None).GetAwaiter().GetResult());

        // A second pass over the same batches updates every miner again (as the next cycle does); later seqs so the
        // duplicate filter lets them through.
        long shift = batches.Length;
        MqttApplicationMessage[] again = [.. batches.Select(m => m with { Payload = Reseq(m.Payload, shift) })];
        TimeSpan before = ThreadCpu();
        foreach (MqttApplicationMessage m in again)
        {
            subscriber.HandleAsync(m, CancellationToken.None).GetAwaiter().GetResult();
        }

        double whole = (ThreadCpu() - before).TotalMicroseconds / ((double)again.Length * rackSize);
        Console.WriteLine($"  batch breakdown, µs a reading on the ingest thread's CPU ({batches.Length:N0} batches, in process): decoding alone {deserialize:0.00} ({bytesPerReading:N0} bytes allocated a reading), the whole path into the fleet {whole:0.00} warm, {first:0.00} on the first pass (JIT, new miners) ({ingest.Batches.Readings:N0} readings folded, {ingest.Batches.Rejected} rejected)");
    }

    /// <summary>The same batch with its seq moved on by <paramref name="shift"/>.</summary>
    private static byte[] Reseq(ReadOnlyMemory<byte> payload, long shift)
    {
        TelemetryBatchPayload batch = JsonSerializer.Deserialize(payload.Span, FarmJsonContext.Default.TelemetryBatchPayload)!;
        return JsonSerializer.SerializeToUtf8Bytes(batch with { Seq = batch.Seq + shift }, FarmJsonContext.Default.TelemetryBatchPayload);
    }

    private static MqttApplicationMessage[] GenerateBatches(int miners, int rackSize, int cycles)
    {
        int racks = (miners + rackSize - 1) / rackSize;
        var result = new List<MqttApplicationMessage>(racks * cycles);
        for (int cycle = 0; cycle < cycles; cycle++)
        {
            for (int rack = 0; rack < racks; rack++)
            {
                string rackId = "r" + rack.ToString("000", CultureInfo.InvariantCulture);
                MinerTelemetryPayload[] readings = [.. Enumerable.Range(rack * rackSize, Math.Min(rackSize, miners - (rack * rackSize))).Select(m => Telemetry(m, rackId, cycle, 0))];
                long seq = ((long)cycle * racks) + rack + 1;
                TelemetryBatchPayload one = TelemetryBatchPayload.From(readings, "s1", rackId, "agent-s1-" + rackId, T0.AddSeconds(cycle * 10), maxMiners: rackSize).Single() with { Seq = seq };
                result.Add(new MqttApplicationMessage
                {
                    Topic = FarmTopics.TelemetryBatch("s1", rackId),
                    Payload = JsonSerializer.SerializeToUtf8Bytes(one, FarmJsonContext.Default.TelemetryBatchPayload),
                });
            }
        }

        return [.. result];
    }

    /// <summary>
    /// Where an in-process message's time goes, on this thread's CPU clock, stage by stage: the topic parse, the schema
    /// check, the deserialization alone (by the serializer's generated metadata and by <see cref="MinerTelemetryReader"/>,
    /// which the decoder uses), the whole decoder (topic, schema, deserialize, finiteness and envelope checks,
    /// identity), the duplicate filter, <see cref="FleetState.Apply"/>, then the whole path as the subscriber runs it,
    /// with the bytes it allocates and the garbage collections it causes (gen0/1 collections run on this thread and are
    /// in its CPU time; background gen2 work is not). A JsonDocument.Parse of the same bytes is the yardstick of what
    /// reading the JSON alone costs.
    /// </summary>
    private static async Task BreakdownAsync(MqttApplicationMessage[] data)
    {
        double PerMessage(Action<MqttApplicationMessage> work)
        {
            TimeSpan before = ThreadCpu();
            foreach (MqttApplicationMessage m in data)
            {
                work(m);
            }

            return (ThreadCpu() - before).TotalMicroseconds / data.Length;
        }

        // Each stage twice; the second pass (warm) is the figure.
        PerMessage(m => JsonDocument.Parse(m.Payload).Dispose());
        double document = PerMessage(m => JsonDocument.Parse(m.Payload).Dispose());
        PerMessage(m => _ = FarmTopics.TryParse(m.Topic));
        double topic = PerMessage(m => _ = FarmTopics.TryParse(m.Topic));
        PerMessage(m => _ = FarmMessageDecoder.SchemaProblem(m.Payload.Span, MinerTelemetryPayload.SchemaId));
        double schema = PerMessage(m => _ = FarmMessageDecoder.SchemaProblem(m.Payload.Span, MinerTelemetryPayload.SchemaId));
        PerMessage(m => _ = JsonSerializer.Deserialize(m.Payload.Span, FarmJsonContext.Default.MinerTelemetryPayload));
        double deserialize = PerMessage(m => _ = JsonSerializer.Deserialize(m.Payload.Span, FarmJsonContext.Default.MinerTelemetryPayload));
        PerMessage(m => _ = MinerTelemetryReader.Read(m.Payload.Span));
        double reader = PerMessage(m => _ = MinerTelemetryReader.Read(m.Payload.Span));
        PerMessage(m => _ = FarmMessageDecoder.Decode(m.Topic, m.Payload));
        double decode = PerMessage(m => _ = FarmMessageDecoder.Decode(m.Topic, m.Payload));

        // The duplicate filter and the fleet state over decoded messages, a slice at a time (decoding is not timed).
        (double duplicates, double fleet) = AfterDecode(data);

        // The whole path as FarmSubscriber runs it, on a fresh fleet each pass (a second pass on the same subscriber would
        // only meet duplicates), with allocations and collections.
        await WholePathAsync(data, PerMessage);
        int[] collections = [GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2)];
        TimeSpan paused = GC.GetTotalPauseDuration();
        long allocated = GC.GetAllocatedBytesForCurrentThread();
        double whole = await WholePathAsync(data, PerMessage);
        double bytes = (GC.GetAllocatedBytesForCurrentThread() - allocated) / (double)data.Length;
        double pause = (GC.GetTotalPauseDuration() - paused).TotalMicroseconds / data.Length;
        Console.WriteLine($"  breakdown, µs a message on the ingest thread's CPU (second pass of each stage): topic parse {topic:0.00}, schema check {schema:0.00}, deserialization alone with the serializer {deserialize:0.00} and with MinerTelemetryReader {reader:0.00}, the whole decoder {decode:0.00}, duplicate filter {duplicates:0.00}, fleet state {fleet:0.00}; the whole path {whole:0.00} ({bytes:N0} bytes allocated a message; GC pauses {pause:0.00} µs a message, collections gen0 {GC.CollectionCount(0) - collections[0]}, gen1 {GC.CollectionCount(1) - collections[1]}, gen2 {GC.CollectionCount(2) - collections[2]}); JsonDocument.Parse of the same bytes {document:0.00}");
    }

    private static async Task<double> WholePathAsync(MqttApplicationMessage[] data, Func<Action<MqttApplicationMessage>, double> perMessage)
    {
        var fleet = new FleetState();
        await using var history = new HistoryWriter(new InfluxDBClientOptions { Enabled = false });
        using var ingest = new IngestService(new ControllerOptions { Site = "s1" }, fleet, history);
        await using var client = new FarmMqttClient(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", 1).WithClientId("bench").Build());
        var subscriber = new FarmSubscriber(client, ingest.HandleAsync);
        double perMessageMicroseconds = perMessage(m => subscriber.HandleAsync(m, CancellationToken.None).GetAwaiter().GetResult());
        return subscriber.Delivered == data.Length ? perMessageMicroseconds : throw new InvalidOperationException($"the breakdown's whole path delivered {subscriber.Delivered} of {data.Length} messages");
    }

    private static (double Duplicates, double Fleet) AfterDecode(MqttApplicationMessage[] data)
    {
        const int Slice = 10_000;
        var duplicates = new DuplicateFilter();
        var fleet = new FleetState();
        TimeSpan inDuplicates = TimeSpan.Zero;
        TimeSpan inFleet = TimeSpan.Zero;
        var decoded = new FarmReceivedMessage[Slice];
        for (int pass = 0; pass < 2; pass++)
        {
            inDuplicates = TimeSpan.Zero;
            inFleet = TimeSpan.Zero;
            duplicates = new DuplicateFilter();
            fleet = new FleetState();
            for (int start = 0; start < data.Length; start += Slice)
            {
                int count = Math.Min(Slice, data.Length - start);
                for (int i = 0; i < count; i++)
                {
                    decoded[i] = FarmMessageDecoder.Decode(data[start + i].Topic, data[start + i].Payload).Message!;
                }

                TimeSpan before = ThreadCpu();
                for (int i = 0; i < count; i++)
                {
                    _ = duplicates.Accept(decoded[i].TopicName, decoded[i].Payload);
                }

                TimeSpan middle = ThreadCpu();
                for (int i = 0; i < count; i++)
                {
                    _ = fleet.Apply(decoded[i].Payload);
                }

                inFleet += ThreadCpu() - middle;
                inDuplicates += middle - before;
            }
        }

        return (inDuplicates.TotalMicroseconds / data.Length, inFleet.TotalMicroseconds / data.Length);
    }

    private static TimeSpan ThreadCpu() => IngestLoad.ThreadCpu();

    /// <summary>The controller's real ingest (history off) subscribed through the bench's mosquitto.</summary>
    private sealed class BrokerIngest : IAsyncDisposable
    {
        private readonly HistoryWriter _history;

        private BrokerIngest(FleetState fleet, HistoryWriter history, IngestService ingest) => (Fleet, _history, Ingest) = (fleet, history, ingest);

        public FleetState Fleet { get; }

        public IngestService Ingest { get; }

        public static async Task<BrokerIngest> StartAsync(int port)
        {
            var fleet = new FleetState();
            var history = new HistoryWriter(new InfluxDBClientOptions { Enabled = false });
            var options = new ControllerOptions { Site = "s1", Mqtt = new ControllerMqttOptions { Host = "127.0.0.1", Port = port, ClientId = "bench-controller" } };
            var ingest = new IngestService(options, fleet, history);
            await ingest.StartAsync(CancellationToken.None);
            await ingest.Subscribed;
            return new BrokerIngest(fleet, history, ingest);
        }

        public async ValueTask DisposeAsync()
        {
            Ingest.Dispose();
            await _history.DisposeAsync();
        }
    }

    private static readonly DateTimeOffset T0 = new(2026, 11, 22, 0, 0, 0, TimeSpan.Zero);

    private static MqttApplicationMessage[] Generate(int messages, int miners)
    {
        var result = new MqttApplicationMessage[messages];
        for (int i = 0; i < messages; i++)
        {
            int miner = i % miners;
            string rack = "r" + (miner / 40).ToString("000", CultureInfo.InvariantCulture);
            int poll = i / miners;
            MinerTelemetryPayload payload = Telemetry(miner, rack, poll, i + 1);
            result[i] = new MqttApplicationMessage
            {
                Topic = FarmTopics.MinerTelemetry("s1", rack, payload.MinerId),
                Payload = JsonSerializer.SerializeToUtf8Bytes(payload, FarmJsonContext.Default.MinerTelemetryPayload),
            };
        }

        return result;
    }

    private static MinerTelemetryPayload Telemetry(int miner, string rack, int poll, long seq) => new()
    {
        Publisher = "agent-s1-" + rack,
        Seq = seq,
        Timestamp = T0.AddSeconds(poll * 10),
        Site = "s1",
        Rack = rack,
        MinerId = "m" + miner.ToString("00000", CultureInfo.InvariantCulture),
        Profile = "antminer",
        Model = "Antminer S19j Pro",
        Firmware = "Antminer S19j Pro 2023-03",
        ReadAt = T0.AddSeconds(poll * 10),
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
}
