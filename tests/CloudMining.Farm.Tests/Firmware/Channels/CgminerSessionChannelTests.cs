using System.Text.Json;
using CloudMining.Farm.Shared.Firmware;
using CloudMining.Farm.Shared.Firmware.Channels;
using CloudMining.Farm.Shared.MinerApi;
using CloudMining.Farm.Shared.Units;
using CloudMining.Farm.Simulator;
using CloudMining.Farm.Simulator.Mining;
using CloudMining.Farm.Simulator.Personalities;
using CloudMining.Farm.Tests.Infrastructure;
using CloudMining.Farm.Tests.Simulator;
using Xunit;
using static CloudMining.Farm.Tests.Firmware.Channels.ChannelKit;

namespace CloudMining.Farm.Tests.Firmware.Channels;

/// <summary>The cgminer-session channel against the simulated LuxOS (sessions required, pool groups), read back through the normal read path.</summary>
public sealed class CgminerSessionChannelTests
{
    private static readonly FirmwareProfile LuxOs = Profiles.Get("luxos");

    private static Task<SimulatedFarm> LuxOsAsync(TimeSpan? sessionLifetime = null) =>
        RealisticAsync("luxos", customize: s => s with { SessionLifetime = sessionLifetime ?? TimeSpan.FromMinutes(1) });

    private static ChannelTarget Target(SimulatedMiner m) => new(m.Id, m.Endpoint, LuxOs);

    [Fact]
    public async Task Pools_with_a_quota_split_become_pool_groups_and_the_pool_side_sees_the_split()
    {
        await using SimulatedFarm farm = await LuxOsAsync();
        SimulatedMiner m = farm.Miners[0];
        MinerWriter writer = Writer();

        Assert.True(LuxOs.CanSetQuota);
        ChannelProbe probe = await writer.ChannelFor(LuxOs, MinerOperation.SetPools)!.ProbeAsync(Target(m), CancellationToken.None);
        Assert.Equal(ChannelProbeStatus.Ready, probe.Status);
        Assert.NotNull(probe.PowerTargetRange);
        Assert.Null(m.ActiveSession); // the probe logged off

        ChannelResult set = await writer.SetPoolsAsync(Target(m), [new PoolEntry(Customer, "cust.w1", "pool-pw", Quota: 3), new PoolEntry(House, "house.w1", "x", Quota: 1)], CancellationToken.None);

        Assert.True(set.Succeeded, set.Error?.ToString());
        Assert.Equal(WriteChannelNames.CgminerSession, set.Channel);
        IMinerControls controls = m;
        Assert.Equal(3, controls.Groups.Single(g => g.Id == 0).Quota);
        (int houseGroup, _, int houseQuota) = controls.Groups.Single(g => g.Name == CgminerSessionChannel.GroupPrefix + "2");
        Assert.Equal(1, houseQuota);
        Assert.True(m.HasPoolPassword(Customer, "cust.w1", "pool-pw"));

        // Read back through the normal read path: exactly the two pools, each in its group.
        Assert.Equal([(Customer, "cust.w1"), (House, "house.w1")], PoolOrder(await ReadBackAsync(m, "luxos")));
        using JsonDocument pools = JsonDocument.Parse(await MinerWire.JsonAsync(m.ListenEndPoint, "pools"));
        Assert.Equal([0, houseGroup], pools.RootElement.GetProperty("POOLS").EnumerateArray().Select(p => p.GetProperty("GROUP").GetInt32()).Order().ToArray());

        // The simulated pool side: hashes split 3:1 between the two groups.
        var start = farm.PoolView();
        IReadOnlyList<PoolAccountView> end = start;
        Assert.True(await Eventually.TrueAsync(
            () =>
            {
                end = farm.PoolView();
                return Hashes(end, House, "house.w1") > Hashes(start, House, "house.w1") && Hashes(end, Customer, "cust.w1") > Hashes(start, Customer, "cust.w1");
            },
            TimeSpan.FromSeconds(20)));
        double customer = Hashes(end, Customer, "cust.w1") - Hashes(start, Customer, "cust.w1");
        double house = Hashes(end, House, "house.w1") - Hashes(start, House, "house.w1");
        Assert.InRange(customer / (customer + house), 0.70, 0.80);

        // Back to a plain failover list: the extra group is removed and everything is in group 0.
        ChannelResult back = await writer.SetPoolsAsync(Target(m), [new PoolEntry(House, "house.w1", "x"), new PoolEntry(Customer, "cust.w1", "pool-pw")], CancellationToken.None);
        Assert.True(back.Succeeded, back.Error?.ToString());
        Assert.Equal([0], controls.Groups.Select(g => g.Id).ToArray());
        Assert.Equal([House, Customer], m.Snapshot().Pools.OrderBy(p => p.Priority).Select(p => p.Url).ToArray());
        Assert.Null(m.ActiveSession);
    }

    [Fact]
    public async Task A_session_held_by_another_operation_is_joined_through_session_not_refused()
    {
        await using SimulatedFarm farm = await LuxOsAsync();
        SimulatedMiner m = farm.Miners[0];

        // Another operation of ours (a probe, a pool write) holds LUXminer's only session: logon alone is refused 317.
        using JsonDocument held = JsonDocument.Parse(await MinerWire.JsonAsync(m.ListenEndPoint, "logon"));
        string holder = held.RootElement.GetProperty("SESSION")[0].GetProperty("SessionID").GetString()!;
        using JsonDocument refused = JsonDocument.Parse(await MinerWire.JsonAsync(m.ListenEndPoint, "logon"));
        Assert.Equal(317, refused.RootElement.GetProperty("STATUS")[0].GetProperty("Code").GetInt32());

        ChannelResult set = await Writer().SetPoolsAsync(Target(m), [new PoolEntry(Customer, "cust.w2", "pool-pw")], CancellationToken.None);

        Assert.True(set.Succeeded, set.Error?.ToString());
        Assert.Equal([(Customer, "cust.w2")], PoolOrder(await ReadBackAsync(m, "luxos")));
        Assert.NotEqual(holder, string.Empty);
    }

    [Fact]
    public async Task Sleep_wake_profile_and_led_take_a_session_which_is_dropped_afterwards()
    {
        await using SimulatedFarm farm = await LuxOsAsync();
        SimulatedMiner m = farm.Miners[0];
        MinerWriter writer = Writer();

        Assert.True((await writer.RunAsync(Target(m), MinerOperation.Pause, CancellationToken.None)).Succeeded);
        Assert.True(m.Sleeping);
        Assert.Null(m.ActiveSession);
        Assert.True(await Eventually.TrueAsync(() => m.Snapshot().Hash5s == 0, TimeSpan.FromSeconds(15)));
        Assert.True((await writer.RunAsync(Target(m), MinerOperation.Resume, CancellationToken.None)).Succeeded);
        Assert.False(m.Sleeping);

        var profiles = LuxOsPersonality.ProfileList(m.Model);
        double wanted = profiles[2].Watts + 10;
        ChannelResult power = await writer.SetPowerTargetAsync(Target(m), Power.FromWatts(wanted), CancellationToken.None);
        Assert.True(power.Succeeded, power.Error?.ToString());
        Assert.Equal(profiles[2].Name, m.PowerLevel);
        using JsonDocument config = JsonDocument.Parse(await MinerWire.JsonAsync(m.ListenEndPoint, "config"));
        Assert.Equal(profiles[2].Name, config.RootElement.GetProperty("CONFIG")[0].GetProperty("Profile").GetString());

        Assert.True((await writer.RunAsync(Target(m), MinerOperation.LocateOn, CancellationToken.None)).Succeeded);
        Assert.True(m.Blinking);
        Assert.True((await writer.RunAsync(Target(m), MinerOperation.LocateOff, CancellationToken.None)).Succeeded);
        Assert.False(m.Blinking);
        Assert.Null(m.ActiveSession);
    }

    [Fact]
    public async Task A_session_that_expires_before_the_command_is_renewed_once_then_the_error_is_typed()
    {
        // Sessions here expire at once: the first use fails, the channel logs on again once, fails again, and stops.
        await using SimulatedFarm farm = await LuxOsAsync(sessionLifetime: TimeSpan.FromTicks(-1));
        SimulatedMiner m = farm.Miners[0];

        ChannelResult result = await Writer().RunAsync(Target(m), MinerOperation.Pause, CancellationToken.None);

        Assert.False(result.Succeeded);
        Assert.Equal((m.Id, "cgminer-session"), (result.Error!.MinerId, result.Error.Channel));
        Assert.Contains("Invalid session id", result.Error.Message, StringComparison.Ordinal);
        Assert.Contains("session", result.Error.Fix, StringComparison.Ordinal);
        Assert.Equal(2, m.WriteCommandsReceived); // two curtail attempts, no more
        Assert.False(m.Sleeping);
    }

    [Fact]
    public async Task Without_the_session_luxos_refuses_configuration_commands_with_its_error()
    {
        await using SimulatedFarm farm = await LuxOsAsync();
        SimulatedMiner m = farm.Miners[0];

        foreach ((string command, string parameter) in new[] { ("curtail", "sleep"), ("profileset", "default"), ("ledset", "red,blink"), ("rebootdevice", "x") })
        {
            using JsonDocument reply = JsonDocument.Parse(await MinerWire.JsonAsync(m.ListenEndPoint, command, parameter));
            JsonElement status = reply.RootElement.GetProperty("STATUS")[0];
            Assert.Equal(("E", "Invalid session id"), (status.GetProperty("STATUS").GetString(), status.GetProperty("Msg").GetString()));
        }

        Assert.False(m.Sleeping);
        Assert.False(m.Blinking);
        Assert.Equal(1, m.BootCount);
    }

    private static double Hashes(IReadOnlyList<PoolAccountView> view, string url, string user) =>
        view.Where(p => p.Url == url && p.User == user).Sum(p => p.Hashes);
}
