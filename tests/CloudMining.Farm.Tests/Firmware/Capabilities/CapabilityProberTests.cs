using System.Text.Json;
using CloudMining.Farm.Shared.Wire;
using CloudMining.Farm.Shared.Firmware;
using CloudMining.Farm.Shared.Firmware.Capabilities;
using CloudMining.Farm.Shared.Firmware.Channels;
using CloudMining.Farm.Shared.MinerApi;
using CloudMining.Farm.Simulator;
using CloudMining.Farm.Tests.Infrastructure;
using CloudMining.Farm.Tests.Simulator;
using Xunit;

namespace CloudMining.Farm.Tests.Firmware.Capabilities;

/// <summary>Capabilities from read-only probes of the real channels on the simulator: what works, what not, why and the fix; nothing changes.</summary>
public sealed class CapabilityProberTests
{
    private const string WebPassword = "Rack7-Web-Pw-31";

    private static readonly FirmwareProfileCatalog Catalog = FirmwareProfileCatalog.Load(RepoPaths.FirmwareProfiles);

    private static readonly string[] WebOperations = ["setPools", "restartMining", "reboot", "pause", "resume", "locateOn", "locateOff"];

    private static Task<SimulatedFarm> StockAntminerAsync(string password) =>
        TestFarms.StartAsync("antminer", writeAccess: true, permissiveRpcWrites: false, customize: (_, s) => s with { WebPort = 0, PermissiveRpcWrites = false, WebPassword = password });

    private static CapabilityProber Prober() => new(MinerWriter.Create(new MinerApiClient(new MinerApiClientOptions()), TimeSpan.FromSeconds(5)));

    private static ChannelTarget Target(SimulatedMiner m, string profile, MinerCredential? login) =>
        new(m.Id, m.Endpoint, Catalog.Get(profile)) { WebPort = m.WebEndPoint?.Port, Credential = login };

    private static string Json(MinerCapabilities c) => JsonSerializer.Serialize(c, FarmJsonContext.Default.MinerCapabilities);

    [Fact]
    public async Task Stock_antminer_with_the_right_web_password_can_do_every_web_operation_and_nothing_changed()
    {
        await using SimulatedFarm farm = await StockAntminerAsync(WebPassword);
        SimulatedMiner m = farm.Miners[0];
        string[] poolsBefore = [.. m.Snapshot().Pools.Select(p => p.Url)];

        MinerCapabilities c = await Prober().ProbeAsync(Target(m, "antminer", new MinerCredential("root", WebPassword)), CancellationToken.None);

        foreach (string op in WebOperations)
        {
            OperationCapability o = c.For(op)!;
            Assert.True(o.Available, $"{op}: {o.Why}");
            Assert.Equal((WriteChannelNames.BitmainWeb, true), (o.Channel, o.Verified));
        }

        Assert.Equal(CapabilityReasons.NoRoute, c.For(MinerOperation.SetPowerTarget)!.Reason);
        Assert.Equal(PoolQuotaStyles.None, c.PoolQuota); // the stock configuration has no quotas
        Assert.Null(c.VendorDefaultLogin);
        Assert.Equal((0L, 0L), (m.WriteCommandsReceived, m.WebWritesReceived)); // read-only: not one write, web or RPC
        Assert.Equal(poolsBefore, m.Snapshot().Pools.Select(p => p.Url));
        Assert.DoesNotContain(WebPassword, Json(c), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stock_antminer_on_the_factory_password_works_and_is_flagged()
    {
        await using SimulatedFarm farm = await StockAntminerAsync("root");

        MinerCapabilities c = await Prober().ProbeAsync(Target(farm.Miners[0], "antminer", new MinerCredential("root", "root")), CancellationToken.None);

        Assert.True(c.Can(MinerOperation.SetPools));
        Assert.True(c.VendorDefaultLogin);
    }

    [Fact]
    public async Task Stock_antminer_with_a_wrong_web_password_can_do_nothing_and_says_why_and_the_fix_without_the_password()
    {
        await using SimulatedFarm farm = await StockAntminerAsync(WebPassword);
        SimulatedMiner m = farm.Miners[0];

        MinerCapabilities c = await Prober().ProbeAsync(Target(m, "antminer", new MinerCredential("root", "Wrong-Guess-77")), CancellationToken.None);

        foreach (string op in WebOperations)
        {
            OperationCapability o = c.For(op)!;
            Assert.False(o.Available);
            Assert.Equal(CapabilityReasons.AuthenticationFailed, o.Reason);
            Assert.Contains("HTTP 401", o.Why, StringComparison.Ordinal);
            Assert.Contains("Agent:MinerCredentials", o.Fix, StringComparison.Ordinal);
        }

        Assert.False(c.SupportsPoolQuota);
        Assert.DoesNotContain("Wrong-Guess-77", Json(c), StringComparison.Ordinal);
        Assert.DoesNotContain(WebPassword, Json(c), StringComparison.Ordinal);
        Assert.Equal((0L, 0L), (m.WriteCommandsReceived, m.WebWritesReceived));
    }

    [Fact]
    public async Task Stock_antminer_without_a_web_login_is_not_asked_and_the_fix_says_what_to_add()
    {
        await using SimulatedFarm farm = await StockAntminerAsync(WebPassword);
        SimulatedMiner m = farm.Miners[0];
        (long, long) requestsBefore = (m.RequestsReceived, m.WebRequestsReceived);

        MinerCapabilities c = await Prober().ProbeAsync(Target(m, "antminer", login: null), CancellationToken.None);

        OperationCapability pools = c.For(MinerOperation.SetPools)!;
        Assert.False(pools.Available);
        Assert.Equal(CapabilityReasons.MissingCredentials, pools.Reason);
        Assert.Contains($"\"Miner\": \"{m.Id}\"", pools.Fix, StringComparison.Ordinal);
        Assert.Equal(requestsBefore, (m.RequestsReceived, m.WebRequestsReceived)); // nothing was sent
    }

    [Fact]
    public async Task Permissive_cgminer_miner_grants_privileged_access_and_reports_integer_quotas()
    {
        await using SimulatedFarm farm = await TestFarms.StartAsync("antminer", writeAccess: true, permissiveRpcWrites: true);
        SimulatedMiner m = farm.Miners[0];
        string[] poolsBefore = [.. m.Snapshot().Pools.Select(p => p.Url)];

        MinerCapabilities c = await Prober().ProbeAsync(Target(m, "generic-cgminer", login: null), CancellationToken.None);

        OperationCapability pools = c.For(MinerOperation.SetPools)!;
        Assert.True(pools.Available, pools.Why);
        Assert.Equal((WriteChannelNames.CgminerRpc, true), (pools.Channel, pools.Verified));
        Assert.Equal((PoolQuotaStyles.CgminerQuota, (double?)1), (c.PoolQuota, c.QuotaStep));
        Assert.True(c.SupportsPoolQuota);
        Assert.Equal(poolsBefore, m.Snapshot().Pools.Select(p => p.Url)); // 'privileged' changes nothing
    }

    [Fact]
    public async Task Stock_antminer_rpc_answers_code_45_to_the_probe_so_the_rpc_route_is_unavailable()
    {
        await using SimulatedFarm farm = await StockAntminerAsync(WebPassword);
        SimulatedMiner m = farm.Miners[0];

        // A profile that routes pools through cgminer RPC, as every profile did before the web channel.
        MinerCapabilities c = await Prober().ProbeAsync(Target(m, "generic-cgminer", login: null), CancellationToken.None);

        OperationCapability pools = c.For(MinerOperation.SetPools)!;
        Assert.False(pools.Available);
        Assert.Equal((WriteChannelNames.CgminerRpc, CapabilityReasons.Disabled), (pools.Channel, pools.Reason));
        Assert.Contains("Code 45", pools.Why, StringComparison.Ordinal);
        Assert.Contains("bitmain-web", pools.Fix, StringComparison.Ordinal);
        Assert.Equal(PoolQuotaStyles.None, c.PoolQuota);
        Assert.Equal(1, m.WriteCommandsReceived); // the one 'privileged' probe, refused; nothing else tried
    }

    [Fact]
    public async Task Unreachable_miner_gives_unreachable_operations_within_the_timeout()
    {
        var closed = new MinerEndpoint("127.0.0.1", FreeTcpPort.Next()); // nothing listens there
        var prober = new CapabilityProber(MinerWriter.Create(new MinerApiClient(new MinerApiClientOptions { ConnectTimeout = TimeSpan.FromSeconds(1), ReadTimeout = TimeSpan.FromSeconds(1) }), TimeSpan.FromSeconds(1)));
        MinerCapabilities c = await prober.ProbeAsync(new ChannelTarget("m-gone", closed, Catalog.Get("generic-cgminer")), CancellationToken.None);

        Assert.Equal(CapabilityReasons.Unreachable, c.For(MinerOperation.SetPools)!.Reason);
    }
}
