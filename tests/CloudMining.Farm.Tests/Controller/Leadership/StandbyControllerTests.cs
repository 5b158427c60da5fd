using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using CloudMining.Farm.ControlApi;
using CloudMining.Farm.Controller.Allocation;
using CloudMining.Farm.Controller.Store;
using CloudMining.Farm.Tests.Controller.Api;
using CloudMining.Farm.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;
using static CloudMining.Farm.Tests.Controller.ControllerSamples;

namespace CloudMining.Farm.Tests.Controller.Leadership;

/// <summary>
/// Two `farm-controller run` processes on one PostgreSQL store: one leads, the other answers farmctl "standby, leader
/// at …"; the leader SIGKILLed, the standby leads within 30 s from what the store holds. FARM_FAILOVER_KILLS=5 repeats
/// the kill (each time the killed one comes back as standby) and prints the failover times (docs/benchmarks.md).
/// </summary>
[Trait("Category", "Integration")]
[Collection(PostgreSqlServers.Name)]
[RequiresPostgreSql]
public sealed class StandbyControllerTests(PostgreSqlFixture fixture, ITestOutputHelper output)
{
    private static readonly TimeSpan Failover = TimeSpan.FromSeconds(30);

    [StoreFact]
    public async Task Leader_killed_the_standby_leads_within_30_s_with_contracts_allocation_and_ledger_intact()
    {
        await using Pair pair = await Pair.StartAsync(fixture, "kill");
        LedgerEntry hour = new("c1", Epoch.AddHours(5), 100, 99, 1, 30, 0.2m, 1.5m);
        await using (PostgreSqlControllerStore seed = await PostgreSqlControllerStore.OpenAsync(pair.ConnectionString, CancellationToken.None))
        {
            await seed.UpsertContractAsync(Contract("c1", 100), CancellationToken.None);
            await seed.SaveAllocationAsync(5, new Dictionary<string, IReadOnlyList<PoolShare>> { ["m1"] = [new PoolShare("c1", 1)] }, CancellationToken.None);
            await seed.AppendLedgerAsync([hour], CancellationToken.None);
        }

        int kills = int.TryParse(Environment.GetEnvironmentVariable("FARM_FAILOVER_KILLS"), CultureInfo.InvariantCulture, out int k) && k > 0 ? k : 1;
        int leader = 0;
        pair.Start(0);
        Assert.True(await Eventually.TrueAsync(async () => await pair.StatusAsync(0) == HttpStatusCode.OK, Failover, TimeSpan.FromMilliseconds(250)), "the first controller never led" + pair.Output);
        pair.Start(1);
        Assert.True(
            await Eventually.TrueAsync(async () => (await pair.ProblemAsync(1))?.Contains("the leader is ctl-0", StringComparison.Ordinal) == true, Failover, TimeSpan.FromMilliseconds(250)),
            "the second controller never answered as standby naming ctl-0: " + await pair.ProblemAsync(1) + pair.Output);

        var times = new List<TimeSpan>();
        for (int kill = 0; kill < kills; kill++)
        {
            int standby = 1 - leader;
            var clock = Stopwatch.StartNew();
            pair.Kill(leader);
            Assert.True(await Eventually.TrueAsync(async () => await pair.StatusAsync(standby) == HttpStatusCode.OK, Failover, TimeSpan.FromMilliseconds(100)), $"kill {kill + 1}: the standby did not lead within {Failover}" + pair.Output);
            times.Add(clock.Elapsed);
            output.WriteLine($"failover {kill + 1}: ctl-{leader} SIGKILLed, ctl-{standby} answered as leader after {clock.Elapsed.TotalSeconds:F2} s");

            // What the new leader serves is what the store held: the contract, and its ledger hour once.
            JsonNode contracts = JsonNode.Parse(await pair.GetAsync(standby, "/v1/contracts"))!;
            Assert.Contains("\"c1\"", contracts.ToJsonString(), StringComparison.Ordinal);
            await using (PostgreSqlControllerStore check = await PostgreSqlControllerStore.OpenAsync(pair.ConnectionString, CancellationToken.None))
            {
                // The seeded hour as it was; the engine's back-filled hours after it each once, none missing.
                IReadOnlyList<LedgerEntry> ledger = await check.GetLedgerAsync("c1", Epoch, Epoch.AddDays(1), CancellationToken.None);
                Assert.Contains(hour, ledger);
                Assert.Equal(ledger.Count, ledger.Select(l => l.Hour).Distinct().Count());
                Assert.All(ledger.Zip(ledger.Skip(1)), p => Assert.Equal(TimeSpan.FromHours(1), p.Second.Hour - p.First.Hour));
                Assert.Equal("c1", Assert.Single((await check.LoadAllocationAsync(CancellationToken.None)).Assignments["m1"]).Assignee);
            }

            // The killed one comes back and waits as standby, naming the new leader.
            pair.Start(leader);
            Assert.True(
                await Eventually.TrueAsync(async () => (await pair.ProblemAsync(leader))?.Contains($"the leader is ctl-{standby}", StringComparison.Ordinal) == true, Failover, TimeSpan.FromMilliseconds(250)),
                "the restarted controller did not wait as standby: " + await pair.ProblemAsync(leader) + pair.Output);
            leader = standby;
        }

        output.WriteLine($"failover over {times.Count} kills: min {times.Min().TotalSeconds:F2} s, median {times.Order().ElementAt(times.Count / 2).TotalSeconds:F2} s, max {times.Max().TotalSeconds:F2} s");
        Assert.All(times, t => Assert.True(t < Failover));
    }

    [StoreFact]
    public async Task Both_started_at_once_exactly_one_leads()
    {
        await using Pair pair = await Pair.StartAsync(fixture, "both");
        pair.Start(0);
        pair.Start(1);

        Assert.True(
            await Eventually.TrueAsync(async () => await pair.StatusAsync(0) == HttpStatusCode.OK || await pair.StatusAsync(1) == HttpStatusCode.OK, Failover, TimeSpan.FromMilliseconds(250)),
            "neither led" + pair.Output);
        int leader = await pair.StatusAsync(0) == HttpStatusCode.OK ? 0 : 1;

        // For a few seconds (several lock retries) the other keeps answering as standby, naming the leader.
        bool bothLed = false;
        await Eventually.TrueAsync(
            async () =>
            {
                bothLed |= await pair.StatusAsync(0) == HttpStatusCode.OK && await pair.StatusAsync(1) == HttpStatusCode.OK;
                return false;
            },
            TimeSpan.FromSeconds(4),
            TimeSpan.FromMilliseconds(250));
        Assert.False(bothLed, "both answered as leader" + pair.Output);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, await pair.StatusAsync(1 - leader));
        Assert.Contains($"the leader is ctl-{leader}", await pair.ProblemAsync(1 - leader), StringComparison.Ordinal);
    }

    /// <summary>Two controller configs on one database and one broker, each with its own folder, API port, client id and instance name.</summary>
    private sealed class Pair : IAsyncDisposable
    {
        private readonly string _root;
        private readonly MosquittoBroker _broker;
        private readonly ProgramProcess?[] _processes = new ProgramProcess?[2];
        private readonly Uri[] _api = new Uri[2];
        private readonly HttpClient?[] _http = new HttpClient?[2];

        private Pair(string root, MosquittoBroker broker, string connectionString)
        {
            _root = root;
            _broker = broker;
            ConnectionString = connectionString;
        }

        public string ConnectionString { get; }

        public string Output => string.Concat(_processes.Select((p, i) => p is null ? "" : $"\n--- ctl-{i} ---\n{p.Output}"));

        public static async Task<Pair> StartAsync(PostgreSqlFixture fixture, string prefix)
        {
            PostgreSqlServer server = await fixture.ServerAsync();
            string db = await server.CreateDatabaseAsync(prefix);
            MosquittoBroker broker = await MosquittoBroker.StartAsync();
            var pair = new Pair(Directory.CreateTempSubdirectory("farm-standby-").FullName, broker, server.ConnectionString(db));
            for (int i = 0; i < 2; i++)
            {
                string folder = Directory.CreateDirectory(Path.Combine(pair._root, $"ctl-{i}")).FullName;
                pair._api[i] = new Uri($"http://127.0.0.1:{FreeTcpPort.Next().ToString(CultureInfo.InvariantCulture)}");
                var config = new JsonObject
                {
                    ["Controller"] = new JsonObject
                    {
                        ["Site"] = "pg",
                        ["Database"] = Path.Combine(folder, "controller.db"),
                        ["Store"] = new JsonObject { ["Provider"] = "postgresql", [nameof(StoreBackendOptions.ConnectionString)] = pair.ConnectionString },
                        ["Leadership"] = new JsonObject { ["Instance"] = $"ctl-{i}", ["RetryInterval"] = "00:00:01" },
                        ["Mqtt"] = new JsonObject { ["Host"] = broker.Host, ["Port"] = broker.Port, ["ClientId"] = $"controller-{i}" },
                        ["Api"] = new JsonObject { ["Url"] = pair._api[i].ToString().TrimEnd('/') },
                        ["Engine"] = new JsonObject { ["IntervalS"] = 1, ["UnitSizeTh"] = 10, ["HousePoolUrl"] = "stratum+tcp://house.pool.pg:3333", ["HouseWorker"] = "op.house" },
                    },
                    ["Influx"] = new JsonObject { ["Enabled"] = false },
                };
                await File.WriteAllTextAsync(Path.Combine(folder, "controller.json"), config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            }

            return pair;
        }

        public void Start(int i)
        {
            string folder = Path.Combine(_root, $"ctl-{i}");
            _processes[i]?.Dispose();
            _processes[i] = ProgramProcess.Start("farm-controller", folder, "run", "--config", Path.Combine(folder, "controller.json"));
        }

        /// <summary>SIGKILL: no shutdown code runs, the kernel closes its sockets.</summary>
        public void Kill(int i) => MosquittoBroker.Signal(_processes[i]!.Id, "KILL");

        /// <summary>The status of GET /v1/contracts on instance <paramref name="i"/>: 200 from the leader, 503 from the standby, 0 when it does not answer.</summary>
        public Task<HttpStatusCode> StatusAsync(int i) => ControllerInstanceProbe.StatusAsync(() => Client(i));

        /// <summary>The problem detail instance <paramref name="i"/> answers with, or null.</summary>
        public Task<string?> ProblemAsync(int i) => ControllerInstanceProbe.ProblemAsync(() => Client(i));

        public async Task<string> GetAsync(int i, string path) => await Client(i).GetStringAsync(new Uri(path, UriKind.Relative));

        public async ValueTask DisposeAsync()
        {
            foreach (ProgramProcess? p in _processes)
            {
                p?.Dispose();
            }

            foreach (HttpClient? h in _http)
            {
                h?.Dispose();
            }

            await _broker.DisposeAsync();
            try
            {
                Directory.Delete(_root, recursive: true);
            }
            catch (IOException)
            {
                // Harmless leftover.
            }
        }

        private HttpClient Client(int i)
        {
            // The token file appears when the instance starts; a client made before would send none.
            string token = Path.Combine(_root, $"ctl-{i}", "api-token");
            if (_http[i] is null && File.Exists(token))
            {
                _http[i] = OperatorHttpHandler.Client(_api[i], token, TimeSpan.FromSeconds(30));
            }

            return _http[i] ?? throw new HttpRequestException("no API token yet");
        }
    }
}
