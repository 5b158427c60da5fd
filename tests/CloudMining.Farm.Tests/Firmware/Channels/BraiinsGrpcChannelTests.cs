using System.Text.Json;
using CloudMining.Farm.Shared.Firmware;
using CloudMining.Farm.Shared.Firmware.Channels;
using CloudMining.Farm.Shared.MinerApi;
using CloudMining.Farm.Shared.Units;
using CloudMining.Farm.Simulator;
using CloudMining.Farm.Simulator.Faults;
using CloudMining.Farm.Tests.Infrastructure;
using CloudMining.Farm.Tests.Simulator;
using Xunit;
using static CloudMining.Farm.Tests.Firmware.Channels.ChannelKit;

namespace CloudMining.Farm.Tests.Firmware.Channels;

/// <summary>The braiins-grpc channel against the simulated Braiins OS+ gRPC API, read back through the normal read path (cgminer API on 4028).</summary>
public sealed class BraiinsGrpcChannelTests
{
    private const string Password = "Bos-Admin-Pw-7";

    private static readonly FirmwareProfile Bos = Profiles.Get("braiins-os");

    private static Task<SimulatedFarm> BosAsync(string password = Password) =>
        RealisticAsync("braiins-os", "Antminer S19 Pro", s => s with { WebPassword = password, NoisePercent = 0 });

    private static ChannelTarget Target(SimulatedMiner m, string password) =>
        new(m.Id, m.Endpoint, Bos) { WebPort = m.GrpcEndPoint!.Port, Credential = new MinerCredential("root", password) };

    [Fact]
    public void The_profile_routes_every_operation_to_the_grpc_channel_on_port_50051()
    {
        foreach (MinerOperation op in Enum.GetValues<MinerOperation>())
        {
            Assert.Equal(WriteChannelKind.BraiinsGrpc, Bos.Route(op)?.Channel);
        }

        Assert.Equal(50051, Bos.Web.Port);
        Assert.Equal(string.Empty, Bos.Web.VendorDefaultPassword);
        Assert.True(Bos.CanSetQuota);
        Assert.True(Writer().ChannelFor(Bos, MinerOperation.SetPools)!.SupportsQuota(Bos));
    }

    [Fact]
    public async Task BOSminer_refuses_cgminer_pool_writes_but_pauses_and_resumes()
    {
        await using SimulatedFarm farm = await BosAsync();
        SimulatedMiner m = farm.Miners[0];

        foreach ((string command, string? parameter) in new[] { ("addpool", "stratum+tcp://x.example:3333,w,x"), ("switchpool", "1"), ("poolquota", "0,5"), ("restart", (string?)null) })
        {
            using JsonDocument reply = JsonDocument.Parse(await MinerWire.JsonAsync(m.ListenEndPoint, command, parameter));
            JsonElement status = reply.RootElement.GetProperty("STATUS")[0];
            Assert.Equal("E", status.GetProperty("STATUS").GetString());
            Assert.Equal(14, status.GetProperty("Code").GetInt32());
            Assert.Equal("Invalid command", status.GetProperty("Msg").GetString());
        }

        Assert.Equal(["stratum+tcp://pool.operator.example:3333", "stratum+tcp://backup.operator.example:3333"], m.Snapshot().Pools.OrderBy(p => p.Priority).Select(p => p.Url));
        Assert.Equal(1, m.BootCount);

        using (JsonDocument paused = JsonDocument.Parse(await MinerWire.JsonAsync(m.ListenEndPoint, "pause", null)))
        {
            Assert.True(paused.RootElement.GetProperty("PAUSE")[0].GetProperty("PAUSE").GetBoolean());
        }

        Assert.True(m.Sleeping);
        using (JsonDocument resumed = JsonDocument.Parse(await MinerWire.JsonAsync(m.ListenEndPoint, "resume", null)))
        {
            Assert.True(resumed.RootElement.GetProperty("RESUME")[0].GetProperty("RESUME").GetBoolean());
        }

        Assert.False(m.Sleeping);
    }

    [Fact]
    public async Task Pools_go_in_as_one_pool_group_and_read_back_through_the_cgminer_api_and_the_pool_side()
    {
        await using SimulatedFarm farm = await BosAsync();
        SimulatedMiner m = farm.Miners[0];
        MinerWriter writer = Writer();

        ChannelResult set = await writer.SetPoolsAsync(Target(m, Password), [new PoolEntry(Customer, "cust.w1", "pool-pw"), new PoolEntry(House, "house.w1", "x")], CancellationToken.None);

        Assert.True(set.Succeeded, set.Error?.ToString());
        Assert.Equal(WriteChannelNames.BraiinsGrpc, set.Channel);
        Assert.Equal(2, set.RequestsSent); // Login, SetPoolGroups
        Assert.Equal(0, m.WriteCommandsReceived); // not one cgminer write
        Assert.True(m.HasPoolPassword(Customer, "cust.w1", "pool-pw"));
        (string name, uint? quota, double? ratio, IReadOnlyList<string> pools) = Assert.Single(m.PoolGroupsSummary);
        Assert.Equal((1u, (double?)null), (quota, ratio));
        Assert.Equal([$"{Customer} cust.w1", $"{House} house.w1"], pools);

        Assert.Equal([(Customer, "cust.w1"), (House, "house.w1")], PoolOrder(await ReadBackAsync(m, "braiins-os")));
        await AssertSharesAtPoolAsync(farm, Customer, "cust.w1");
        Assert.DoesNotContain(farm.PoolView(), p => p.Url == House && p.AcceptedShares > 0); // failover inside the group

        // The session is reused: the next call sends no second login.
        ChannelResult again = await writer.SetPoolsAsync(Target(m, Password), [new PoolEntry(House, "house.w1", "x")], CancellationToken.None);
        Assert.True(again.Succeeded, again.Error?.ToString());
        Assert.Equal(1, again.RequestsSent);
    }

    [Fact]
    public async Task A_quota_split_becomes_one_pool_group_per_pool_and_the_pools_see_it()
    {
        await using SimulatedFarm farm = await BosAsync();
        SimulatedMiner m = farm.Miners[0];

        ChannelResult set = await Writer().SetPoolsAsync(Target(m, Password),
            [new PoolEntry(Customer, "cust.w1", "x", Quota: 3), new PoolEntry(House, "house.w1", "x", Quota: 1)], CancellationToken.None);

        Assert.True(set.Succeeded, set.Error?.ToString());
        Assert.Equal([3u, 1u], m.PoolGroupsSummary.Select(g => g.Quota!.Value));
        Assert.Equal([(Customer, 3), (House, 1)], (await ReadBackAsync(m, "braiins-os")).Pools.OrderBy(p => p.Priority).Select(p => (p.Url, p.Quota ?? 0)).ToArray());

        // The simulated pool side sees three quarters of the work at the customer's pool.
        Assert.True(await Eventually.TrueAsync(() => farm.PoolView().Count(p => p.Url is Customer or House && p.AcceptedShares > 50) == 2, TimeSpan.FromSeconds(30)));
        double customer = farm.PoolView().Single(p => p.Url == Customer).Hashes;
        double house = farm.PoolView().Single(p => p.Url == House).Hashes;
        Assert.InRange(customer / (customer + house), 0.73, 0.77);

        ChannelResult mixed = await Writer().SetPoolsAsync(Target(m, Password), [new PoolEntry(Customer, "c", "x", Quota: 3), new PoolEntry(House, "h", "x")], CancellationToken.None);
        Assert.Equal((ChannelErrorKind.NotSupported, 0), (mixed.Error!.Kind, mixed.RequestsSent));
    }

    [Fact]
    public async Task Pause_resume_led_power_target_and_restart_go_through_the_actions_and_tuner()
    {
        await using SimulatedFarm farm = await BosAsync();
        SimulatedMiner m = farm.Miners[0];
        MinerWriter writer = Writer();
        ChannelTarget target = Target(m, Password);
        double nominalPower = m.Snapshot().PowerWatts;
        double nominalHash = m.Snapshot().Hash5s;

        Assert.True((await writer.RunAsync(target, MinerOperation.Pause, CancellationToken.None)).Succeeded);
        Assert.True(m.Sleeping);
        Assert.Equal(0, m.Snapshot().Hash5s);
        Assert.True((await writer.RunAsync(target, MinerOperation.Resume, CancellationToken.None)).Succeeded);
        Assert.False(m.Sleeping);

        Assert.True((await writer.RunAsync(target, MinerOperation.LocateOn, CancellationToken.None)).Succeeded);
        Assert.True(m.Blinking);
        Assert.True((await writer.RunAsync(target, MinerOperation.LocateOff, CancellationToken.None)).Succeeded);
        Assert.False(m.Blinking);

        ChannelResult power = await writer.SetPowerTargetAsync(target, Power.FromWatts(2500), CancellationToken.None);
        Assert.True(power.Succeeded, power.Error?.ToString());
        Assert.Equal(2500, m.PowerTargetWatts);
        Assert.InRange(m.Snapshot().PowerWatts, 2300, 2700);
        Assert.InRange(m.Snapshot().Hash5s / nominalHash, 0.70, 0.85);
        Assert.True(nominalPower > 2900);

        ChannelResult tooHigh = await writer.SetPowerTargetAsync(target, Power.FromWatts(99_000), CancellationToken.None);
        Assert.Equal(ChannelErrorKind.CommandError, tooHigh.Error!.Kind);
        Assert.Contains("out of range", tooHigh.Error.Message, StringComparison.Ordinal);
        Assert.Equal(2500, m.PowerTargetWatts);

        ChannelProbe probe = await writer.ChannelFor(Bos, MinerOperation.SetPools)!.ProbeAsync(target, CancellationToken.None);
        Assert.Equal(ChannelProbeStatus.Ready, probe.Status);
        Assert.Equal((1240.0, 3720.0), probe.PowerTargetRange);
        Assert.False(probe.VendorDefaultPassword);

        int boots = m.BootCount;
        Assert.True((await writer.RunAsync(target, MinerOperation.RestartMining, CancellationToken.None)).Succeeded);
        Assert.True(await Eventually.TrueAsync(() => m.BootCount > boots, TimeSpan.FromSeconds(30)));

        // After the restart the cached session is gone: the channel logs in once more by itself.
        Assert.True(await Eventually.TrueAsync(() => m.PowerState == CloudMining.Farm.Simulator.Mining.MinerPowerState.Running, TimeSpan.FromSeconds(30)));
        ChannelResult afterRestart = await writer.RunAsync(target, MinerOperation.LocateOn, CancellationToken.None);
        Assert.True(afterRestart.Succeeded, afterRestart.Error?.ToString());
        Assert.Equal(3, afterRestart.RequestsSent); // refused token, Login, SetLocateDeviceStatus
    }

    [Fact]
    public async Task A_wrong_or_missing_login_is_a_typed_error_naming_miner_channel_and_fix_and_changes_nothing()
    {
        const string wrong = "Not-The-Bos-Pw-3";
        await using SimulatedFarm farm = await BosAsync();
        SimulatedMiner m = farm.Miners[0];
        var before = m.Snapshot().Pools.Select(p => (p.Url, p.User)).ToArray();
        MinerWriter writer = Writer();

        ChannelResult result = await writer.SetPoolsAsync(Target(m, wrong), [new PoolEntry(Customer, "cust.w1", "x")], CancellationToken.None);

        Assert.False(result.Succeeded);
        ChannelError error = result.Error!;
        Assert.Equal(ChannelErrorKind.AuthenticationFailed, error.Kind);
        Assert.Equal(m.Id, error.MinerId);
        Assert.Equal("braiins-grpc", error.Channel);
        Assert.Contains("Bad credentials", error.Message, StringComparison.Ordinal);
        Assert.Contains("Agent:MinerCredentials", error.Fix, StringComparison.Ordinal);
        Assert.DoesNotContain(wrong, error.ToString(), StringComparison.Ordinal);
        Assert.Equal(1, m.GrpcLoginsRefused);
        Assert.Equal(0, m.GrpcWritesReceived);
        Assert.Equal(before, m.Snapshot().Pools.Select(p => (p.Url, p.User)).ToArray());

        ChannelProbe probe = await writer.ChannelFor(Bos, MinerOperation.SetPools)!.ProbeAsync(Target(m, wrong), CancellationToken.None);
        Assert.Equal(ChannelProbeStatus.AuthenticationFailed, probe.Status);
        Assert.DoesNotContain(wrong, probe.Message + probe.Fix, StringComparison.Ordinal);

        ChannelResult missing = await writer.SetPoolsAsync(Target(m, wrong) with { Credential = null }, [new PoolEntry(Customer, "cust.w1", "x")], CancellationToken.None);
        Assert.Equal(ChannelErrorKind.MissingCredentials, missing.Error!.Kind);
        Assert.Equal(0, missing.RequestsSent);
        Assert.Contains("Agent:MinerCredentials", missing.Error.Fix, StringComparison.Ordinal);
    }

    /// <summary>
    /// Grpc.Net.Client (ThrowOperationCanceledOnCancellation) reports an exceeded deadline as a TaskCanceledException.
    /// Thrown out of the channel it reached the agent's pool reconciler as if the agent were stopping, ended it and with
    /// it the agent (the intermittent "racks never applied" of the end-to-end restart test, under load). A miner slower
    /// than the deadline is a Timeout result; only the caller's own cancellation still throws.
    /// </summary>
    [Fact]
    public async Task A_miner_slower_than_the_deadline_is_a_timeout_result_and_only_the_callers_cancellation_throws()
    {
        await using SimulatedFarm farm = await BosAsync();
        SimulatedMiner m = farm.Miners[0];
        var before = m.Snapshot().Pools.Select(p => (p.Url, p.User)).ToArray();
        m.GrpcReplyDelay = TimeSpan.FromSeconds(30);
        var hurried = new BraiinsGrpcChannel(TimeSpan.FromMilliseconds(300));

        ChannelResult late = await hurried.SetPoolsAsync(Target(m, Password), [new PoolEntry(Customer, "cust.w1", "pool-pw")], CancellationToken.None);

        Assert.False(late.Succeeded);
        ChannelError error = late.Error!;
        Assert.Equal(ChannelErrorKind.Timeout, error.Kind);
        Assert.Equal((m.Id, "braiins-grpc"), (error.MinerId, error.Channel));
        Assert.Contains($"no answer from the gRPC API at {m.Endpoint.Host}:{m.GrpcEndPoint!.Port} to AuthenticationService/Login within 0.3 s", error.Message, StringComparison.Ordinal);
        Assert.Contains("tried again once it answers", error.Fix, StringComparison.Ordinal);
        Assert.Equal(0, m.GrpcWritesReceived);
        Assert.Equal(before, m.Snapshot().Pools.Select(p => (p.Url, p.User)).ToArray());

        // The caller cancelling (the agent stopping) is not a miner's timeout: that still throws.
        using (var stopping = new CancellationTokenSource())
        {
            stopping.CancelAfter(TimeSpan.FromMilliseconds(300));
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
                new BraiinsGrpcChannel(TimeSpan.FromSeconds(20)).SetPoolsAsync(Target(m, Password), [new PoolEntry(Customer, "cust.w1", "pool-pw")], stopping.Token));
        }

        // Answering in time again, the same channel sets the pools.
        m.GrpcReplyDelay = TimeSpan.Zero;
        ChannelResult set = await Writer().SetPoolsAsync(Target(m, Password), [new PoolEntry(Customer, "cust.w1", "pool-pw")], CancellationToken.None);
        Assert.True(set.Succeeded, set.Error?.ToString());
        Assert.Equal([$"{Customer} cust.w1"], Assert.Single(m.PoolGroupsSummary).Pools);
    }

    [Fact]
    public async Task The_factory_login_is_ready_but_flagged_and_a_closed_port_is_unreachable()
    {
        await using SimulatedFarm farm = await BosAsync(password: string.Empty);
        SimulatedMiner m = farm.Miners[0];
        WriteChannel channel = Writer().ChannelFor(Bos, MinerOperation.SetPools)!;

        ChannelProbe factory = await channel.ProbeAsync(Target(m, string.Empty), CancellationToken.None);
        Assert.Equal(ChannelProbeStatus.Ready, factory.Status);
        Assert.True(factory.VendorDefaultPassword);
        Assert.Equal(0, m.GrpcWritesReceived);

        m.SetPower(false);
        ChannelProbe off = await channel.ProbeAsync(Target(m, string.Empty), CancellationToken.None);
        Assert.Equal(ChannelProbeStatus.Unreachable, off.Status);
        Assert.Contains("50051", off.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_miner_that_does_not_answer_before_the_deadline_is_a_timeout_result_not_a_cancellation()
    {
        await using SimulatedFarm farm = await BosAsync();
        SimulatedMiner m = farm.Miners[0];
        MinerWriter writer = MinerWriter.Create(new MinerApiClient(new MinerApiClientOptions()), TimeSpan.FromMilliseconds(300));

        m.InjectFault(MinerFault.Hang());
        ChannelResult hung = await writer.SetPoolsAsync(Target(m, Password), [new PoolEntry(Customer, "cust.w1", "pool-pw")], CancellationToken.None);

        Assert.False(hung.Succeeded);
        Assert.Equal(ChannelErrorKind.Timeout, hung.Error!.Kind);
        Assert.Contains("no answer from the gRPC API", hung.Error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("pool-pw", hung.Error.ToString(), StringComparison.Ordinal);
        Assert.False(m.HasPoolPassword(Customer, "cust.w1", "pool-pw"));

        // Our own token still means stop: a cancelled caller gets a cancellation, not a miner error.
        using var stop = new CancellationTokenSource();
        Task<ChannelResult> stopped = writer.SetPoolsAsync(Target(m, Password), [new PoolEntry(Customer, "cust.w1", "pool-pw")], stop.Token);
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => stopped);

        m.ClearFaults();
        ChannelResult answered = await writer.SetPoolsAsync(Target(m, Password), [new PoolEntry(Customer, "cust.w1", "pool-pw")], CancellationToken.None);
        Assert.True(answered.Succeeded, answered.Error?.ToString());
        Assert.True(m.HasPoolPassword(Customer, "cust.w1", "pool-pw"));
    }
}
