using System.Text.Json;
using CloudMining.Farm.ControlApi;
using CloudMining.Farm.Controller.Api;
using CloudMining.Farm.Controller.Engine;
using CloudMining.Farm.Controller.Ingest;
using CloudMining.Farm.Controller.Operations;
using CloudMining.Farm.Shared.Wire;
using CloudMining.Farm.Tests.Controller.Ctl;
using CloudMining.Farm.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace CloudMining.Farm.Tests.Controller.Engine;

/// <summary>The controller sells and enforces from the capabilities agents report, and tells the operator why a miner is not sold.</summary>
public sealed class CapabilityJudgeTests
{
    private const string Why = "the web interface refused the login of user 'root' (HTTP 401 to the Digest answer on get_miner_conf.cgi)";
    private const string Fix = "set this miner's web password in Agent:MinerCredentials (entry for \"r1-m03\" or its profile 'antminer')";

    [Fact]
    public async Task A_miner_whose_pools_cannot_be_set_is_not_sold_and_farmctl_miner_show_says_why_and_the_fix()
    {
        var published = new CapturingPublisher();
        await using EngineFarm farm = (await EngineFarm.StartAsync(publisher: published)).WithMiners(racks: 1, perRack: 3, th: 100);
        farm.Miners["r1-m03"].Capabilities = TestCapabilities.PoolsUnavailable("r1-m03", "antminer", CapabilityReasons.AuthenticationFailed, Why, Fix);
        await farm.RunAsync(TimeSpan.FromSeconds(30));

        CapacityView capacity = await farm.Engine.GetCapacityAsync(CancellationToken.None);
        Assert.Equal(200e12, capacity.MeasuredHealthyHs); // healthy and hashing, but not sellable
        await farm.AddContractAsync("c1", 150);
        await farm.RunAsync(TimeSpan.FromSeconds(20));
        AllocationView allocation = await farm.Engine.GetAllocationAsync(CancellationToken.None);
        Assert.DoesNotContain(allocation.Contracts.SelectMany(c => c.Shares), s => s.MinerId == "r1-m03");
        DesiredPoolStatePayload desired = JsonSerializer.Deserialize(published.Last(FarmTopics.Desired(EngineFarm.Site, "r1")), FarmJsonContext.Default.DesiredPoolStatePayload)!;
        Assert.Equal(["r1-m01", "r1-m02"], desired.Miners.Select(m => m.MinerId).Order(StringComparer.Ordinal)); // its agent could not apply it: not sent

        string tokenFile = Path.Combine(farm.Directory, LocalApiToken.DefaultFileName);
        await using LocalApiServer server = await LocalApiServer.StartAsync(farm.Engine, new LocalApiOptions { Url = $"http://127.0.0.1:{FreeTcpPort.Next()}", TokenFile = tokenFile }, NullLoggerFactory.Instance, farm.Clock, CancellationToken.None);
        string api = server.Address.ToString().TrimEnd('/');
        (int code, string output, string error) = await FarmctlRun.InvokeAsync("miner", "show", "r1-m03", "--api", api, "--token-file", tokenFile);
        Assert.True(code == 0, error);
        Assert.Contains("not", output, StringComparison.Ordinal);
        Assert.Contains("HTTP 401", output, StringComparison.Ordinal);
        Assert.Contains("Agent:MinerCredentials", output, StringComparison.Ordinal);
        Assert.Contains("setPools (authentication-failed)", output, StringComparison.Ordinal);
        (code, output, _) = await FarmctlRun.InvokeAsync("miner", "show", "r1-m03", "--json", "--api", api, "--token-file", tokenFile);
        Assert.Equal(0, code);
        using (JsonDocument doc = JsonDocument.Parse(output))
        {
            Assert.StartsWith("its pools cannot be set through bitmain-web", doc.RootElement.GetProperty("notEnforceable").GetString(), StringComparison.Ordinal);
            Assert.Equal(Fix, doc.RootElement.GetProperty("notEnforceableFix").GetString());
        }

        (code, output, _) = await FarmctlRun.InvokeAsync("miner", "show", "r1-m01", "--api", api, "--token-file", tokenFile);
        Assert.Equal(0, code);
        Assert.Contains("Enforceable", output, StringComparison.Ordinal);

        // The technician fixes the login; the agent's next probe reports it, and the miner is sold again.
        farm.Miners["r1-m03"].Capabilities = null;
        farm.ReportCapabilities("r1");
        await farm.RunAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(300e12, (await farm.Engine.GetCapacityAsync(CancellationToken.None)).MeasuredHealthyHs);
        Assert.Null((await farm.Engine.GetMinerAsync("r1-m03", CancellationToken.None))!.NotEnforceable);
    }

    [Fact]
    public async Task Miners_of_an_agent_that_never_reports_capabilities_are_not_sold_and_the_fix_is_to_upgrade_it()
    {
        await using EngineFarm farm = (await EngineFarm.StartAsync()).WithMiners(racks: 2, perRack: 2, th: 100);
        farm.OldAgentRacks.Add("r2");
        await farm.RunAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(200e12, (await farm.Engine.GetCapacityAsync(CancellationToken.None)).MeasuredHealthyHs);
        MinerView old = (await farm.Engine.GetMinerAsync("r2-m01", CancellationToken.None))!;
        Assert.Contains("farm-agent 0.9.0 on rack r2 does not report miner capabilities", old.NotEnforceable, StringComparison.Ordinal);
        Assert.Contains("upgrade farm-agent on rack r2", old.NotEnforceableFix, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_quota_share_only_goes_to_a_miner_that_reports_quotas()
    {
        await using EngineFarm farm = (await EngineFarm.StartAsync()).WithMiners(racks: 2, perRack: 2, th: 100);
        farm.Miners["r2-m02"].Capabilities = TestCapabilities.Writable("r2-m02", "antminer-stock", quota: true);
        await farm.RunAsync(TimeSpan.FromSeconds(30));

        await farm.AddContractAsync("c1", 150);
        await farm.RunAsync(TimeSpan.FromSeconds(20));

        ContractView c1 = (await farm.Engine.GetAllocationAsync(CancellationToken.None)).Contracts.Single(c => c.Id == "c1");
        Assert.True(c1.AllocatedHs >= 150e12, $"allocated {c1.AllocatedHs}");
        ShareView split = Assert.Single(c1.Shares, s => s.Fraction < 1);
        Assert.Equal("r2-m02", split.MinerId);
    }

    [Fact]
    public void Capabilities_survive_a_will_without_them_and_an_agent_restart_that_has_not_probed_yet()
    {
        var fleet = new FleetState();
        AgentStatusPayload Status(long seq, AgentState state, IReadOnlyList<MinerCapabilities>? caps) =>
            new() { Publisher = "agent-s1-r1", Seq = seq, Timestamp = DateTimeOffset.UtcNow, Site = "s1", Rack = "r1", State = state, Capabilities = caps };

        fleet.Apply(Status(1, AgentState.Online, [TestCapabilities.Writable("m1", "antminer", quota: false), TestCapabilities.Writable("m2", "antminer", quota: true)]));
        fleet.Apply(Status(2, AgentState.Offline, null)); // the will
        fleet.Apply(Status(3, AgentState.Online, [])); // restarted, nothing probed yet
        fleet.Apply(Status(4, AgentState.Online, [TestCapabilities.PoolsUnavailable("m1", "antminer", CapabilityReasons.Unreachable, "no answer", "check it")]));

        RackLiveState rack = Assert.Single(fleet.Racks());
        Assert.False(CapabilityJudge.Judge(rack, "m1").PoolsWritable);
        Assert.True(CapabilityJudge.Judge(rack, "m2") is { PoolsWritable: true, SupportsQuota: true });
        Assert.Contains("not reported its capabilities yet", CapabilityJudge.Judge(rack, "m3").Why, StringComparison.Ordinal);
    }

    /// <summary>Keeps what the engine publishes, by topic.</summary>
    private sealed class CapturingPublisher : CloudMining.Farm.Controller.Enforcement.IFarmPublisher
    {
        private readonly Dictionary<string, byte[]> _last = new(StringComparer.Ordinal);
        private long _seq;

        public string PublisherId => "controller";

        public long NextSeq() => Interlocked.Increment(ref _seq);

        public byte[] Last(string topic)
        {
            lock (_last)
            {
                return _last[topic];
            }
        }

        public Task PublishAsync(string topic, ReadOnlyMemory<byte> payload, bool retain, CancellationToken cancellationToken)
        {
            lock (_last)
            {
                _last[topic] = payload.ToArray();
            }

            return Task.CompletedTask;
        }
    }
}
