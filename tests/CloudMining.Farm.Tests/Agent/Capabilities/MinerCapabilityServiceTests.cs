using System.Text;
using System.Text.Json;
using CloudMining.Farm.Agent.Capabilities;
using CloudMining.Farm.Agent.Channels;
using CloudMining.Farm.Agent.Configuration;
using CloudMining.Farm.Agent.Polling;
using CloudMining.Farm.Shared.Firmware;
using CloudMining.Farm.Shared.Firmware.Channels;
using CloudMining.Farm.Shared.Wire;
using CloudMining.Farm.Tests.Agent.Pools;
using CloudMining.Farm.Tests.Agent.Telemetry;
using CloudMining.Farm.Tests.Infrastructure;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace CloudMining.Farm.Tests.Agent.Capabilities;

/// <summary>The agent probes its miners' write channels and reports what it can do to each in its retained MQTT status.</summary>
[Trait("Category", "Integration")]
public sealed class MinerCapabilityServiceTests
{
    private const string WrongPassword = "Wrong-Web-Pw-993";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private static readonly JsonSchemaSubsetValidatorSet Schemas = new();
    private static readonly FirmwareProfileCatalog Catalog = FirmwareProfileCatalog.Load(RepoPaths.FirmwareProfiles);

    [Fact]
    public async Task The_agent_status_carries_each_miners_capabilities_valid_against_the_schema_and_no_secret_anywhere()
    {
        await using PoolsRack rack = await PoolsRack.StartAsync(["antminer", "antminer", "braiins-os"], permissiveRpcWrites: false, configure: o =>
        {
            o.MinerCredentials.Clear();
            o.MinerCredentials.Add(new MinerCredentialOptions { Miner = o.Miners[0].Id, Profile = "antminer", Password = PoolsRack.WebPassword });
            o.MinerCredentials.Add(new MinerCredentialOptions { Miner = o.Miners[1].Id, Profile = "antminer", Password = WrongPassword });
            o.MinerCredentials.Add(new MinerCredentialOptions { Miner = "*", Profile = "braiins-os", Password = PoolsRack.WebPassword });
        });
        using MinerCapabilityService service = Service(rack, TimeProvider.System);
        await service.StartAsync(CancellationToken.None);
        string statusTopic = FarmTopics.AgentStatus(PoolsRack.Site, PoolsRack.RackId);

        AgentStatusPayload? status = null;
        Assert.True(await Eventually.TrueAsync(() => (status = LastStatus(rack, statusTopic)) is { Capabilities.Count: 3 }, Patience), string.Join('\n', rack.Logs.Records.TakeLast(20).Select(r => r.Message)));

        byte[] raw = rack.Observed!.Messages.Last(m => m.Topic == statusTopic).Payload.ToArray();
        Assert.Empty(Schemas.Validate(raw));
        MinerCapabilities good = status!.Capabilities!.Single(c => c.MinerId == rack[0].Id);
        Assert.True(good.For(MinerOperation.SetPools) is { Available: true, Channel: WriteChannelNames.BitmainWeb, Verified: true });
        Assert.True(good.VendorDefaultLogin); // the simulated stock Antminer's factory password
        OperationCapability refused = status.Capabilities!.Single(c => c.MinerId == rack[1].Id).For(MinerOperation.SetPools)!;
        Assert.Equal((false, CapabilityReasons.AuthenticationFailed), (refused.Available, refused.Reason));
        Assert.Contains("Agent:MinerCredentials", refused.Fix, StringComparison.Ordinal);
        MinerCapabilities bos = status.Capabilities!.Single(c => c.MinerId == rack[2].Id);
        Assert.True(bos.For(MinerOperation.SetPools) is { Available: true, Channel: WriteChannelNames.BraiinsGrpc, Verified: true });
        Assert.Equal(PoolQuotaStyles.GroupRatio, bos.PoolQuota); // Braiins OS+ splits through pool groups

        // Probes change nothing, and the retained status a restarted controller reads carries them too.
        Assert.Equal(0, rack[0].WebWritesReceived + rack[1].WebWritesReceived + rack[0].WriteCommandsReceived + rack[1].WriteCommandsReceived);
        string? retained = await rack.RetainedAsync(statusTopic);
        Assert.Contains("\"capabilities\"", retained, StringComparison.Ordinal);

        // The wrong password is nowhere: not on the wire, not in the logs.
        Assert.DoesNotContain(rack.Observed!.Messages, m => Encoding.UTF8.GetString(m.Payload.Span).Contains(WrongPassword, StringComparison.Ordinal));
        Assert.DoesNotContain(rack.Logs.Records, r => r.Message.Contains(WrongPassword, StringComparison.Ordinal) || r.Properties.Values.Any(v => v?.ToString()?.Contains(WrongPassword, StringComparison.Ordinal) == true));
        Assert.Contains(rack.Logs.Records, r => r.Level == LogLevel.Warning && r.Message.Contains(rack[1].Id, StringComparison.Ordinal) && r.Message.Contains("will not be sold", StringComparison.Ordinal));
        await service.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task A_miner_is_probed_once_then_on_the_slow_period_on_an_address_change_and_after_a_failed_write_but_not_every_cycle()
    {
        await using PoolsRack rack = await PoolsRack.StartAsync(["antminer"], mqtt: false, permissiveRpcWrites: false);
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using MinerCapabilityService service = Service(rack, clock, polling: false);
        await service.StartAsync(CancellationToken.None);
        MinerOptions m = rack.Options.Miners[0];
        var health = new MinerPollStatus { MinerId = m.Id, Endpoint = m.Endpoint, ConfiguredProfile = "antminer" };
        long cycle = 0;
        void Cycle(MinerPollStatus h) => service.OnCycleCompleted(this, new PollCycleCompletedEventArgs(new PollCycleResult(++cycle, clock.GetUtcNow(), TimeSpan.Zero, 1, 1), [h]));

        Cycle(health);
        Assert.True(await Eventually.TrueAsync(() => service.Probes == 1, Patience));
        for (int i = 0; i < 5; i++)
        {
            clock.Advance(TimeSpan.FromSeconds(10));
            Cycle(health);
        }

        service.Retest(m.Id); // a failed write right after a probe: remembered, not probed at once
        Cycle(health);
        clock.Advance(MinerCapabilityService.MinRetestInterval);
        Cycle(health);
        Assert.True(await Eventually.TrueAsync(() => service.Probes == 2, Patience));

        clock.Advance(TimeSpan.FromMinutes(1));
        Cycle(health);
        clock.Advance(service.Interval);
        Cycle(health);
        Assert.True(await Eventually.TrueAsync(() => service.Probes == 3, Patience));

        Cycle(health with { Endpoint = new Shared.MinerApi.MinerEndpoint("localhost", m.Endpoint.Port) }); // the miner moved (same port, another name)
        Assert.True(await Eventually.TrueAsync(() => service.Probes == 4, Patience));
        Assert.Equal(4, service.Probes);
        Assert.True(service.Current.Single().Can(MinerOperation.SetPools));
        await service.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task A_channel_that_does_not_answer_is_probed_again_after_5_then_10_seconds()
    {
        await using PoolsRack rack = await PoolsRack.StartAsync(["antminer"], mqtt: false, permissiveRpcWrites: false, configure: o => o.Miners[0].WebPort = FreeTcpPort.Next());
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using MinerCapabilityService service = Service(rack, clock, polling: false);
        await service.StartAsync(CancellationToken.None);
        MinerOptions m = rack.Options.Miners[0];
        var health = new MinerPollStatus { MinerId = m.Id, Endpoint = m.Endpoint, ConfiguredProfile = "antminer" };
        long cycle = 0;
        void Cycle() => service.OnCycleCompleted(this, new PollCycleCompletedEventArgs(new PollCycleResult(++cycle, clock.GetUtcNow(), TimeSpan.Zero, 1, 1), [health]));

        Cycle();
        Assert.True(await Eventually.TrueAsync(() => service.Probes == 1, Patience));
        Assert.Equal(CapabilityReasons.Unreachable, service.Current.Single().For(MinerOperation.SetPools)!.Reason);
        clock.Advance(TimeSpan.FromSeconds(4));
        Cycle();
        clock.Advance(TimeSpan.FromSeconds(1));
        Cycle();
        Assert.True(await Eventually.TrueAsync(() => service.Probes == 2, Patience));
        clock.Advance(TimeSpan.FromSeconds(9));
        Cycle();
        clock.Advance(TimeSpan.FromSeconds(1));
        Cycle();
        Assert.True(await Eventually.TrueAsync(() => service.Probes == 3, Patience));
        Assert.Equal(3, service.Probes);
        await service.StopAsync(CancellationToken.None);
    }

    private static MinerCapabilityService Service(PoolsRack rack, TimeProvider time, bool polling = true) => new(
        polling ? rack.Polling : null,
        MinerChannels.Create(rack.Options),
        Catalog,
        polling ? rack.Events : null,
        polling ? rack.Link : null,
        Microsoft.Extensions.Options.Options.Create(rack.Options),
        time,
        rack.Logs.CreateLogger<MinerCapabilityService>());

    private static AgentStatusPayload? LastStatus(PoolsRack rack, string topic) =>
        rack.Observed?.Messages.Where(m => m.Topic == topic).Select(m => JsonSerializer.Deserialize(m.Payload.Span, FarmJsonContext.Default.AgentStatusPayload)).LastOrDefault();
}
