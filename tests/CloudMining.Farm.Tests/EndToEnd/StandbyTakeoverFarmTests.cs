using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using CloudMining.Farm.ControlApi;
using CloudMining.Farm.Controller.Allocation;
using CloudMining.Farm.Controller.Contracts;
using CloudMining.Farm.Controller.Store;
using CloudMining.Farm.Simulator.Mining;
using CloudMining.Farm.Tests.Controller.Api;
using CloudMining.Farm.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace CloudMining.Farm.Tests.EndToEnd;

/// <summary>
/// Issue 15's failover with a farm under it: the <see cref="EndToEndFarm"/> (simulated miners, three in-process agents,
/// mosquitto from broker-setup.sh) run by two `farm-controller run` processes on one PostgreSQL database. Contracts sold
/// and enforced, the leader SIGKILLed: the standby leads within 30 s and resumes from the store without moving a miner
/// (the same desired generation per rack, no pool change at any simulated miner, no pool write) and with every ledger
/// hour once: the delivery the ledger holds never exceeds what the simulated pools accepted (nothing counted twice), and
/// what it misses grows by no more than the takeover itself (no hour dropped).
/// </summary>
[Trait("Category", "EndToEnd")]
[Trait("Category", "Integration")]
[Collection(PostgreSqlServers.Name)]
[RequiresPostgreSql]
public sealed class StandbyTakeoverFarmTests(PostgreSqlFixture fixture, ITestOutputHelper output)
{
    private static readonly TimeSpan Failover = TimeSpan.FromSeconds(30);

    /// <summary>Deadline for what a loaded 2-core machine does slowly (a process start, a farm settling); a poll returns as soon as it holds.</summary>
    private static readonly TimeSpan Slow = TimeSpan.FromSeconds(60);

    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(250);

    /// <summary>Delivery each contract's ledger holds before the kill, in seconds of its allocated hashrate: more than a takeover may lose, so a dropped open hour shows.</summary>
    private const double LedgerSecondsBeforeKill = 25;

    [StoreFact]
    public async Task Standby_takes_over_a_running_farm_within_30_s_without_moving_a_miner_or_losing_a_ledger_hour()
    {
        var total = Stopwatch.StartNew();
        void Phase(string what) => output.WriteLine($"{total.Elapsed.TotalSeconds,6:F1} s  {what}");
        PostgreSqlServer server = await fixture.ServerAsync();
        string connection = server.ConnectionString(await server.CreateDatabaseAsync("takeover"));
        await using EndToEndFarm farm = await EndToEndFarm.StartAsync(controllerInProcess: false, controllerConfig: c =>
        {
            c["Store"] = new JsonObject { ["Provider"] = "postgresql", [nameof(StoreBackendOptions.ConnectionString)] = connection };
            c["Leadership"] = new JsonObject { ["RetryInterval"] = "00:00:01" };
        });
        await using ControllerPair pair = await ControllerPair.WriteAsync(farm);
        Phase("farm started (simulated miners, three agents, mosquitto, PostgreSQL)");

        // Both started at once (their starts overlap on a slow machine); whichever takes the lock leads.
        pair.Start(0);
        pair.Start(1);
        int lead = -1;
        Assert.True(
            await Eventually.TrueAsync(async () => (lead = await pair.StatusAsync(0) == HttpStatusCode.OK ? 0 : await pair.StatusAsync(1) == HttpStatusCode.OK ? 1 : -1) >= 0, Slow, Poll),
            "neither controller led" + pair.Output);
        int standby = 1 - lead;
        Assert.True(
            await Eventually.TrueAsync(async () => (await pair.ProblemAsync(standby))?.Contains($"the leader is ctl-{lead}", StringComparison.Ordinal) == true, Slow, Poll),
            $"ctl-{standby} never answered as standby naming ctl-{lead}" + pair.Output);
        Phase($"ctl-{lead} leads, ctl-{standby} waits as standby");

        // Sold and enforced through the leader's API, as farmctl would.
        JsonNode? capacity = null;
        Assert.True(
            await Eventually.TrueAsync(async () => (capacity = await pair.TryGetAsync(lead, "/v1/capacity"))?["minersHealthy"]?.GetValue<int>() == farm.WritableMiners, Slow, Poll),
            $"ctl-{lead} never counted every miner healthy: " + capacity?.ToJsonString() + pair.Output);
        Phase("every miner healthy");
        double unitTh = capacity!["unitSizeHs"]!.GetValue<double>() / 1e12;
        long free = capacity["unitsFree"]!.GetValue<long>();
        (string Id, string Url, string Worker, double Share)[] sold = [("tk-a", "stratum+tcp://pool-tk-a.e2e:3333", "ann.tk", 0.3), ("tk-b", "stratum+tcp://pool-tk-b.e2e:3333", "ben.tk", 0.2)];
        foreach ((string id, string url, string worker, double share) in sold)
        {
            using HttpResponseMessage created = await pair.Client(lead).PostAsJsonAsync("/v1/contracts", new
            {
                id, customer = "cust-" + id, hashrate = $"{Math.Max(1, (long)(free * share)) * unitTh} TH/s", poolUrl = url, worker,
                end = DateTimeOffset.UtcNow.AddDays(30), maintenancePerTerahashDay = 0.05m, electricityAtCost = true,
            });
            Assert.True(created.IsSuccessStatusCode, $"{created.StatusCode}: {await created.Content.ReadAsStringAsync()}");
        }

        Assert.True(await pair.RacksAppliedAsync(lead, Slow), $"ctl-{lead}'s allocation was never applied: " + (await pair.TryGetAsync(lead, "/v1/fleet"))?["racks"]?.ToJsonString() + pair.Output);
        Phase("two contracts sold and applied by every rack");
        Dictionary<string, double> allocatedHs = (await pair.TryGetAsync(lead, "/v1/contracts"))!.AsArray().ToDictionary(c => c!["id"]!.GetValue<string>(), c => c!["allocatedHs"]!.GetValue<double>());
        Assert.All(sold, c => Assert.True(allocatedHs.GetValueOrDefault(c.Id) > 0, $"{c.Id} has nothing allocated"));

        // Enough delivery in each contract's open hour that losing it would show beside what a takeover may lose.
        Dictionary<string, double> ledger = [];
        Assert.True(
            await Eventually.TrueAsync(async () =>
            {
                ledger = (await ReadStoreAsync(connection)).DeliveredHashes;
                return sold.All(c => ledger.GetValueOrDefault(c.Id) >= allocatedHs[c.Id] * LedgerSecondsBeforeKill);
            }, Slow, Poll),
            "the ledger never accumulated: " + string.Join(", ", ledger.Select(kv => $"{kv.Key} {kv.Value:E2} hashes")));

        Phase($"the ledger holds {LedgerSecondsBeforeKill} s of each contract's delivery");

        // From here every pool change and every pool write a simulated miner receives is counted.
        await using PoolSwitchCounter switches = PoolSwitchCounter.Start(farm.Sim);
        long writesBefore = PoolWrites(farm);
        Dictionary<string, long?> generations = RackGenerations((await pair.TryGetAsync(lead, "/v1/fleet"))!);
        string contractsBefore = ContractsText((await pair.TryGetAsync(lead, "/v1/contracts"))!);
        Dictionary<string, double> missingBefore = Missing(await ReadStoreAsync(connection), farm.Sim.PoolView(), sold);

        var clock = Stopwatch.StartNew();
        pair.Kill(lead);
        StoreSnapshot atKill = await ReadStoreAsync(connection);
        Assert.True(await Eventually.TrueAsync(async () => await pair.StatusAsync(standby) == HttpStatusCode.OK, Failover, TimeSpan.FromMilliseconds(100)), $"ctl-{standby} did not lead within {Failover}" + pair.Output);
        TimeSpan takeover = clock.Elapsed;
        output.WriteLine($"ctl-{lead} SIGKILLed; ctl-{standby} answered as leader after {takeover.TotalSeconds:F2} s");

        // The new leader republishes the same generation to each rack and the agents report it applied.
        Dictionary<string, long?> after = [];
        Assert.True(
            await Eventually.TrueAsync(async () =>
            {
                JsonNode? fleet = await pair.TryGetAsync(standby, "/v1/fleet");
                after = fleet is null ? [] : RackGenerations(fleet);
                return after.Count == EndToEndFarm.Racks && after.All(r => r.Value is not null) && await pair.RacksAppliedAsync(standby, TimeSpan.Zero);
            }, Slow, Poll),
            $"ctl-{standby} never had every rack at a published, applied generation: " + string.Join(", ", after.Select(kv => $"{kv.Key}={kv.Value}")) + pair.Output);
        Assert.Equal(generations.OrderBy(kv => kv.Key, StringComparer.Ordinal), after.OrderBy(kv => kv.Key, StringComparer.Ordinal));
        Phase($"ctl-{standby} republished the same generation to every rack, applied");

        // The new leader credits delivery on top of what the dead one stored.
        StoreSnapshot resumed = atKill;
        Assert.True(
            await Eventually.TrueAsync(async () =>
            {
                resumed = await ReadStoreAsync(connection);
                return sold.All(c => resumed.DeliveredHashes[c.Id] > atKill.DeliveredHashes[c.Id] + (allocatedHs[c.Id] * 5));
            }, Slow, Poll),
            $"ctl-{standby} did not continue the ledger" + pair.Output);
        Phase($"ctl-{standby} continues the ledger");

        // Nothing moved: no miner changed pools, none was written to, contracts and allocation as they were.
        Assert.Empty(switches.Changes);
        Assert.Equal(writesBefore, PoolWrites(farm));
        Assert.Equal(contractsBefore, ContractsText((await pair.TryGetAsync(standby, "/v1/contracts"))!));
        Assert.Equal(atKill.AllocationVersion, resumed.AllocationVersion);
        Assert.Equal(atKill.Shares, resumed.Shares);
        Assert.Equal(atKill.Contracts, resumed.Contracts);
        Assert.Equal(generations.OrderBy(kv => kv.Key, StringComparer.Ordinal), RackGenerations((await pair.TryGetAsync(standby, "/v1/fleet"))!).OrderBy(kv => kv.Key, StringComparer.Ordinal));

        // Ledger hours: every closed row as it was, every open hour still there (open or closed) with no less delivery,
        // each hour of a contract once and none skipped.
        Assert.All(atKill.Closed, row => Assert.Contains(row, resumed.Closed));
        Assert.All(atKill.Open, open => Assert.True(
            resumed.Open.Any(a => a.ContractId == open.ContractId && a.Hour == open.Hour && a.DeliveredHashes >= open.DeliveredHashes) || resumed.Closed.Any(r => r.ContractId == open.ContractId && r.Hour == open.Hour),
            $"{open.ContractId}'s hour {open.Hour:HH:mm} was lost"));
        foreach ((string id, _, _, _) in sold)
        {
            DateTimeOffset[] hours = [.. resumed.Closed.Where(r => r.ContractId == id).Select(r => r.Hour).Concat(resumed.Open.Where(a => a.ContractId == id).Select(a => a.Hour)).Order()];
            Assert.Equal(hours.Length, hours.Distinct().Count());
            Assert.All(hours.Zip(hours.Skip(1)), p => Assert.Equal(TimeSpan.FromHours(1), p.Second - p.First));
        }

        // Against the pools' own count: the ledger never holds more than they accepted (nothing counted twice), and what
        // it misses grew by no more than the takeover (plus telemetry and tick latency) worth of work.
        Dictionary<string, double> missingAfter = Missing(resumed, farm.Sim.PoolView(), sold);
        foreach ((string id, _, _, _) in sold)
        {
            double lostSeconds = (missingAfter[id] - missingBefore[id]) / allocatedHs[id];
            output.WriteLine($"{id}: ledger {resumed.DeliveredHashes[id]:E3} hashes, pools short of it by {missingBefore[id] / allocatedHs[id]:F1} s of work before the kill and {missingAfter[id] / allocatedHs[id]:F1} s after ({lostSeconds:F1} s over the takeover)");
            Assert.True(missingAfter[id] >= -1e-6 * resumed.DeliveredHashes[id], $"{id}: the ledger holds {-missingAfter[id]:E3} hashes more than the pool accepted: counted twice");
            Assert.True(lostSeconds <= takeover.TotalSeconds + 15, $"{id}: the ledger lost {lostSeconds:F1} s of work over a {takeover.TotalSeconds:F1} s takeover");
        }

        output.WriteLine($"pool changes {switches.Changes.Count}, pool writes {PoolWrites(farm) - writesBefore}, generations {string.Join(", ", generations.Select(kv => $"{kv.Key}={kv.Value}"))}");
    }

    /// <summary>Pool writes the simulated miners received on every channel (cgminer RPC, web CGI and REST, Braiins gRPC).</summary>
    private static long PoolWrites(EndToEndFarm farm) => farm.Sim.Miners.Sum(m => m.WriteCommandsReceived + m.WebWritesReceived + m.GrpcWritesReceived);

    private static Dictionary<string, long?> RackGenerations(JsonNode fleet) =>
        fleet["racks"]!.AsArray().ToDictionary(r => r!["rack"]!.GetValue<string>(), r => r!["desiredGeneration"] is JsonValue d ? d.GetValue<long>() : (long?)null, StringComparer.Ordinal);

    /// <summary>What the operator sold, as the API lists it (allocatedHs is left out: it follows the miners' measured hashrate from one reading to the next).</summary>
    private static string ContractsText(JsonNode contracts) =>
        string.Join("; ", contracts.AsArray().OrderBy(c => c!["id"]!.GetValue<string>(), StringComparer.Ordinal)
            .Select(c => $"{c!["id"]} {c["status"]} target {c["targetHs"]}"));

    /// <summary>Per contract: hashes its pool account accepted minus what the ledger holds (the pool read after the store).</summary>
    private static Dictionary<string, double> Missing(StoreSnapshot store, IReadOnlyList<PoolAccountView> pools, IEnumerable<(string Id, string Url, string Worker, double Share)> contracts) =>
        contracts.ToDictionary(
            c => c.Id,
            c => (pools.Where(p => p.Url == c.Url && p.User == c.Worker).Sum(p => p.AcceptedDifficulty) * 4294967296.0) - store.DeliveredHashes.GetValueOrDefault(c.Id));

    private static async Task<StoreSnapshot> ReadStoreAsync(string connection)
    {
        await using PostgreSqlControllerStore store = await PostgreSqlControllerStore.OpenAsync(connection, CancellationToken.None);
        IReadOnlyList<Contract> contracts = await store.GetContractsAsync(CancellationToken.None);
        (long version, IReadOnlyDictionary<string, IReadOnlyList<PoolShare>> assignments) = await store.LoadAllocationAsync(CancellationToken.None);
        var closed = new List<LedgerEntry>();
        foreach (Contract c in contracts)
        {
            closed.AddRange(await store.GetLedgerAsync(c.Id, DateTimeOffset.MinValue, DateTimeOffset.MaxValue, CancellationToken.None));
        }

        IReadOnlyList<LedgerAccumulator> open = await store.LoadOpenLedgerAsync(CancellationToken.None);
        var delivered = contracts.ToDictionary(
            c => c.Id,
            c => closed.Where(r => r.ContractId == c.Id).Sum(r => r.DeliveredTerahashHours * 1e12 * 3600) + open.Where(a => a.ContractId == c.Id).Sum(a => a.DeliveredHashes),
            StringComparer.Ordinal);
        string shares = string.Join("; ", assignments.OrderBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(kv => kv.Key + "=" + string.Join(",", kv.Value.Select(s => s.Assignee + ":" + s.Fraction.ToString("R", CultureInfo.InvariantCulture)))));
        string contractText = string.Join("; ", contracts.OrderBy(c => c.Id, StringComparer.Ordinal).Select(c => $"{c.Id} {c.Customer} {c.Pool.Url} {c.Pool.Worker} {c.Target}"));
        return new StoreSnapshot(contractText, version, shares, closed, open, delivered);
    }

    private sealed record StoreSnapshot(string Contracts, long AllocationVersion, string Shares, IReadOnlyList<LedgerEntry> Closed, IReadOnlyList<LedgerAccumulator> Open, Dictionary<string, double> DeliveredHashes);

    /// <summary>Two `farm-controller run` processes on the farm's controller config, each with its own folder (API token, seq file), API port and instance name.</summary>
    private sealed class ControllerPair : IAsyncDisposable
    {
        private readonly string _root;
        private readonly ProgramProcess?[] _processes = new ProgramProcess?[2];
        private readonly Uri[] _api = new Uri[2];
        private readonly HttpClient?[] _http = new HttpClient?[2];

        private ControllerPair(string root) => _root = root;

        public string Output => string.Concat(_processes.Select((p, i) => p is null ? "" : $"\n--- ctl-{i} ---\n{p.Output}"));

        public static async Task<ControllerPair> WriteAsync(EndToEndFarm farm)
        {
            var pair = new ControllerPair(Path.Combine(farm.Folder, "controllers"));
            for (int i = 0; i < 2; i++)
            {
                string folder = Directory.CreateDirectory(pair.Folder(i)).FullName;
                JsonNode config = JsonNode.Parse(await File.ReadAllTextAsync(farm.ControllerConfigPath))!;
                JsonNode controller = config["Controller"]!;
                pair._api[i] = new Uri($"http://127.0.0.1:{FreeTcpPort.Next().ToString(CultureInfo.InvariantCulture)}");
                controller["Database"] = Path.Combine(folder, "controller.db");
                controller["Api"] = new JsonObject { ["Url"] = pair._api[i].ToString().TrimEnd('/') };
                controller["Leadership"]!["Instance"] = $"ctl-{i}";
                await File.WriteAllTextAsync(Path.Combine(folder, "controller.json"), config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            }

            return pair;
        }

        public void Start(int i)
        {
            _processes[i]?.Dispose();
            _processes[i] = ProgramProcess.Start("farm-controller", Folder(i), "run", "--config", Path.Combine(Folder(i), "controller.json"));
        }

        /// <summary>SIGKILL: no shutdown code runs, the kernel closes its sockets (PostgreSQL frees the leader lock, mosquitto drops the session).</summary>
        public void Kill(int i) => MosquittoBroker.Signal(_processes[i]!.Id, "KILL");

        /// <summary>GET /v1/contracts on instance <paramref name="i"/>: 200 from the leader, 503 from the standby, 0 when it does not answer.</summary>
        public Task<HttpStatusCode> StatusAsync(int i) => ControllerInstanceProbe.StatusAsync(() => Client(i));

        public Task<string?> ProblemAsync(int i) => ControllerInstanceProbe.ProblemAsync(() => Client(i));

        /// <summary>The JSON instance <paramref name="i"/> answers on <paramref name="path"/>, or null (not leading, not answering).</summary>
        public async Task<JsonNode?> TryGetAsync(int i, string path)
        {
            try
            {
                using HttpResponseMessage response = await Client(i).GetAsync(new Uri(path, UriKind.Relative));
                return response.IsSuccessStatusCode ? JsonNode.Parse(await response.Content.ReadAsStringAsync()) : null;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
            {
                return null;
            }
        }

        /// <summary>Every rack at instance <paramref name="i"/>'s latest desired generation (polled up to <paramref name="timeout"/>; zero: one look).</summary>
        public async Task<bool> RacksAppliedAsync(int i, TimeSpan timeout) =>
            await Eventually.TrueAsync(async () =>
            {
                JsonArray? racks = (await TryGetAsync(i, "/v1/fleet"))?["racks"]?.AsArray();
                return racks is { Count: EndToEndFarm.Racks } && racks.All(r => r!["desiredGeneration"] is JsonValue d && r["appliedGeneration"] is JsonValue a && d.GetValue<long>() == a.GetValue<long>());
            }, timeout, Poll);

        public HttpClient Client(int i)
        {
            // The token file appears when the instance starts; a client made before would send none.
            string token = Path.Combine(Folder(i), "api-token");
            if (_http[i] is null && File.Exists(token))
            {
                _http[i] = OperatorHttpHandler.Client(_api[i], token, TimeSpan.FromSeconds(30));
            }

            return _http[i] ?? throw new HttpRequestException("no API token yet");
        }

        public ValueTask DisposeAsync()
        {
            foreach (ProgramProcess? p in _processes)
            {
                p?.Dispose();
            }

            foreach (HttpClient? h in _http)
            {
                h?.Dispose();
            }

            return ValueTask.CompletedTask;
        }

        private string Folder(int i) => Path.Combine(_root, $"ctl-{i}");
    }
}
