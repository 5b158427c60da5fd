using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using CloudMining.Farm.ControlApi;
using CloudMining.Farm.Controller.Contracts;
using CloudMining.Farm.Controller.Store;
using CloudMining.Farm.Tests.Controller.Api;
using CloudMining.Farm.Tests.Infrastructure;
using Microsoft.Extensions.Logging;
using Xunit;

namespace CloudMining.Farm.Tests.EndToEnd;

/// <summary>Issue 5 end to end: `farm-controller run` as a real process, killed with SIGKILL mid-flight and started again.</summary>
[Trait("Category", "EndToEnd")]
[Trait("Category", "Integration")]
public sealed class ControllerRestartTests
{
    private static readonly TimeSpan Converge = ContractedFarmFixture.Converge;

    [Fact]
    public async Task Killed_controller_restarts_without_losing_a_contract_an_allocation_or_a_ledger_row()
    {
        await using EndToEndFarm farm = await EndToEndFarm.StartAsync(controllerInProcess: false);
        string api = JsonNode.Parse(await File.ReadAllTextAsync(farm.ControllerConfigPath))!["Controller"]!["Api"]!["Url"]!.GetValue<string>();
        // The controller process creates its token file beside the database at start; the client reads it as farmctl does.
        using HttpClient http = OperatorHttpHandler.Client(new Uri(api), Path.Combine(Path.GetDirectoryName(farm.DatabasePath)!, "api-token"), TimeSpan.FromSeconds(5));

        var first = new ControllerProcess(farm);
        try
        {
            // Sell once every writable miner is counted, through the local API as farmctl does.
            JsonNode? capacity = null;
            Assert.True(
                await Eventually.TrueAsync(async () =>
                {
                    first.ThrowIfExited();
                    capacity = await TryGetAsync(http, "/v1/capacity");
                    return capacity is not null && capacity["minersHealthy"]!.GetValue<int>() == farm.WritableMiners;
                }, Converge, TimeSpan.FromMilliseconds(500)),
                "the controller process never counted every miner: " + capacity?.ToJsonString() + AgentErrors(farm) + first.Output);
            Assert.NotNull(capacity);
            double unitTh = capacity["unitSizeHs"]!.GetValue<double>() / 1e12;
            long free = capacity["unitsFree"]!.GetValue<long>();
            foreach ((string id, double share, string worker) in new[] { ("rs-a", 0.3, "ann.w1"), ("rs-b", 0.2, "ben.w1") })
            {
                using HttpResponseMessage created = await http.PostAsJsonAsync("/v1/contracts", new
                {
                    id,
                    customer = "cust-" + id,
                    hashrate = $"{(long)(free * share) * unitTh} TH/s",
                    poolUrl = $"stratum+tcp://pool-{id}.e2e:3333",
                    worker,
                    end = DateTimeOffset.UtcNow.AddDays(30),
                    maintenancePerTerahashDay = 0.05m,
                    electricityAtCost = true,
                });
                Assert.True(created.IsSuccessStatusCode, $"{created.StatusCode}: {await created.Content.ReadAsStringAsync()}");
            }

            // Over capacity through the API, as farmctl sees it: 409 naming what is free, and nothing stored.
            using (HttpResponseMessage refused = await http.PostAsJsonAsync("/v1/contracts", new
            {
                id = "rs-greedy", customer = "greedy", hashrate = $"{(free + 1) * unitTh} TH/s", poolUrl = "stratum+tcp://pool-g.e2e:3333", worker = "greedy.w",
                end = DateTimeOffset.UtcNow.AddDays(30), maintenancePerTerahashDay = 0.05m, electricityAtCost = true,
            }))
            {
                string problem = await refused.Content.ReadAsStringAsync();
                Assert.Equal(System.Net.HttpStatusCode.Conflict, refused.StatusCode);
                Assert.Contains("are free", problem, StringComparison.Ordinal);
            }

            Assert.True(await RacksAppliedAsync(http), "racks never applied: " + (await TryGetAsync(http, "/v1/fleet"))?.ToJsonString() + AgentErrors(farm) + first.Output);
            // A few ticks of ledger accumulation for both contracts.
            Assert.True(await Eventually.TrueAsync(async () => (await OpenLedgerAsync(farm)).Count(l => l.DeliveredHashes > 0) >= 2, Converge, TimeSpan.FromMilliseconds(500)));
        }
        finally
        {
            first.Kill();
        }

        // What the dead process left on disk is the reference: everything it committed must survive the restart.
        (IReadOnlyList<Contract> contracts, long version, Dictionary<string, string> shares, IReadOnlyList<LedgerAccumulator> open, IReadOnlyList<LedgerEntry> closed) atDeath = await ReadStoreAsync(farm);
        Assert.Equal(["rs-a", "rs-b"], atDeath.contracts.Select(c => c.Id).Order(StringComparer.Ordinal));
        Assert.NotEmpty(atDeath.shares);
        Assert.NotEmpty(atDeath.open);

        var second = new ControllerProcess(farm);
        try
        {
            Assert.True(await RacksAppliedAsync(http), "after the restart the racks never applied: " + (await TryGetAsync(http, "/v1/fleet"))?.ToJsonString() + AgentErrors(farm) + second.Output);
            JsonArray contracts = (await TryGetAsync(http, "/v1/contracts"))!.AsArray();
            Assert.Equal(["rs-a", "rs-b"], contracts.Select(c => c!["id"]!.GetValue<string>()).Order(StringComparer.Ordinal));
            Assert.All(contracts, c => Assert.True(c!["allocatedHs"]!.GetValue<double>() >= c["targetHs"]!.GetValue<double>() * 0.995, c.ToJsonString()));

            // The restarted controller keeps ticking the ledger on top of what it found.
            Assert.True(await Eventually.TrueAsync(async () =>
            {
                IReadOnlyList<LedgerAccumulator> now = await OpenLedgerAsync(farm);
                return atDeath.open.All(b => now.Any(a => a.ContractId == b.ContractId && a.Hour == b.Hour && a.DeliveredHashes > b.DeliveredHashes));
            }, Converge, TimeSpan.FromMilliseconds(500)), "the ledger did not continue from the rows left at the kill");
        }
        finally
        {
            second.Kill();
        }

        (IReadOnlyList<Contract> contracts, long version, Dictionary<string, string> shares, IReadOnlyList<LedgerAccumulator> open, IReadOnlyList<LedgerEntry> closed) after = await ReadStoreAsync(farm);
        Assert.Equal(atDeath.contracts.Select(c => (c.Id, c.Customer, c.Pool.Url, c.Pool.Worker, c.Target)), after.contracts.Select(c => (c.Id, c.Customer, c.Pool.Url, c.Pool.Worker, c.Target)));
        Assert.True(after.version >= atDeath.version, $"allocation version went back from {atDeath.version} to {after.version}");
        // The same miners serve the same contracts: a restart is no reason to switch pools.
        Assert.Equal(atDeath.shares.OrderBy(kv => kv.Key, StringComparer.Ordinal), after.shares.OrderBy(kv => kv.Key, StringComparer.Ordinal));
        Assert.All(atDeath.open, b => Assert.Contains(after.open, a => a.ContractId == b.ContractId && a.Hour == b.Hour && a.DeliveredHashes >= b.DeliveredHashes));
        Assert.All(atDeath.closed, b => Assert.Contains(after.closed, a => a == b));
    }

    private static async Task<bool> RacksAppliedAsync(HttpClient http) =>
        await Eventually.TrueAsync(async () =>
        {
            JsonNode? fleet = await TryGetAsync(http, "/v1/fleet");
            JsonArray? racks = fleet?["racks"]?.AsArray();
            return racks is { Count: EndToEndFarm.Racks } && racks.All(r => r!["desiredGeneration"] is JsonValue d && r["appliedGeneration"] is JsonValue a && d.GetValue<long>() == a.GetValue<long>());
        }, Converge, TimeSpan.FromMilliseconds(500));

    /// <summary>What the in-process agents logged at Error and above (a dead reconciler shows here, not in the fleet view).</summary>
    private static string AgentErrors(EndToEndFarm farm) =>
        "\n--- agent errors ---\n" + string.Join('\n', farm.AgentLogs.Records.Where(r => r.Level >= LogLevel.Error).TakeLast(20)
            .Select(r => $"{r.Level} {r.Category}: {r.Message}{(r.Exception is { } e ? $" ({e.GetType().Name}: {e.Message})" : string.Empty)}"));

    private static async Task<JsonNode?> TryGetAsync(HttpClient http, string path)
    {
        try
        {
            return JsonNode.Parse(await http.GetStringAsync(new Uri(path, UriKind.Relative)));
        }
        catch (HttpRequestException)
        {
            return null; // not listening yet, or between the kill and the restart
        }
        catch (TaskCanceledException)
        {
            return null;
        }
    }

    private static async Task<IReadOnlyList<LedgerAccumulator>> OpenLedgerAsync(EndToEndFarm farm)
    {
        await using SqliteControllerStore store = await SqliteControllerStore.OpenAsync(farm.DatabasePath, CancellationToken.None);
        return await store.LoadOpenLedgerAsync(CancellationToken.None);
    }

    private static async Task<(IReadOnlyList<Contract>, long, Dictionary<string, string>, IReadOnlyList<LedgerAccumulator>, IReadOnlyList<LedgerEntry>)> ReadStoreAsync(EndToEndFarm farm)
    {
        await using SqliteControllerStore store = await SqliteControllerStore.OpenAsync(farm.DatabasePath, CancellationToken.None);
        IReadOnlyList<Contract> contracts = await store.GetContractsAsync(CancellationToken.None);
        (long version, IReadOnlyDictionary<string, IReadOnlyList<CloudMining.Farm.Controller.Allocation.PoolShare>> assignments) = await store.LoadAllocationAsync(CancellationToken.None);
        var shares = assignments
            .Where(kv => kv.Value.Any(s => s.Assignee != CloudMining.Farm.Controller.Contracts.HousePool.AssigneeId))
            .ToDictionary(kv => kv.Key, kv => string.Join(",", kv.Value.Where(s => s.Assignee != CloudMining.Farm.Controller.Contracts.HousePool.AssigneeId).Select(s => s.Assignee).Order(StringComparer.Ordinal)), StringComparer.Ordinal);
        var closed = new List<LedgerEntry>();
        foreach (Contract c in contracts)
        {
            closed.AddRange(await store.GetLedgerAsync(c.Id, DateTimeOffset.MinValue, DateTimeOffset.MaxValue, CancellationToken.None));
        }

        return (contracts, version, shares, await store.LoadOpenLedgerAsync(CancellationToken.None), closed);
    }

    /// <summary>`dotnet farm-controller.dll run --config …` on the farm's controller config, output captured for failure messages.</summary>
    private sealed class ControllerProcess
    {
        private readonly Process _process;
        private readonly System.Text.StringBuilder _output = new();

        public ControllerProcess(EndToEndFarm farm)
        {
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = farm.Folder };
            foreach (string arg in new[] { Path.Combine(AppContext.BaseDirectory, "farm-controller.dll"), "run", "--config", farm.ControllerConfigPath })
            {
                start.ArgumentList.Add(arg);
            }

            _process = Process.Start(start)!;
            _process.OutputDataReceived += (_, e) => Append(e.Data);
            _process.ErrorDataReceived += (_, e) => Append(e.Data);
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();
        }

        public string Output
        {
            get
            {
                lock (_output)
                {
                    return "\n--- farm-controller output ---\n" + _output;
                }
            }
        }

        public void ThrowIfExited()
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"farm-controller exited {_process.ExitCode.ToString(CultureInfo.InvariantCulture)}{Output}");
            }
        }

        /// <summary>SIGKILL: no graceful stop, no flush, as a crash or the OOM killer would.</summary>
        public void Kill()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: false);
            }

            _process.WaitForExit(10_000);
            _process.Dispose();
        }

        private void Append(string? line)
        {
            if (line is not null)
            {
                lock (_output)
                {
                    _output.AppendLine(line);
                }
            }
        }
    }
}
