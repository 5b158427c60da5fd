using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using CloudMining.Farm.Shared.Firmware;
using CloudMining.Farm.Shared.Firmware.Channels;
using CloudMining.Farm.Shared.MinerApi;
using CloudMining.Farm.Shared.Units;
using CloudMining.Farm.Simulator;
using CloudMining.Farm.Tests.Infrastructure;
using CloudMining.Farm.Tests.Simulator;
using Xunit;
using static CloudMining.Farm.Tests.Firmware.Channels.ChannelKit;

namespace CloudMining.Farm.Tests.Firmware.Channels;

/// <summary>The VNish REST channel against the simulated VNish web API (unlock, bearer token), read back through the normal read path.</summary>
public sealed class VnishRestChannelTests
{
    private static readonly FirmwareProfile Vnish = Profiles.Get("vnish");

    private static Task<SimulatedFarm> VnishAsync(string password = "admin") =>
        RealisticAsync("vnish", "S19 Pro", s => s with { VnishPassword = password });

    private static ChannelTarget Target(SimulatedMiner m, string? password) =>
        new(m.Id, m.Endpoint, Vnish) { WebPort = m.WebEndPoint!.Port, Credential = password is null ? null : new MinerCredential("admin", password) };

    [Fact]
    public async Task The_simulated_vnish_answers_like_its_api_description_wrong_password_403_missing_or_bad_token_401()
    {
        await using SimulatedFarm farm = await VnishAsync(password: "Right-Pw-1");
        SimulatedMiner m = farm.Miners[0];
        using var http = new HttpClient { BaseAddress = new Uri($"http://{m.WebEndPoint}") };

        using HttpResponseMessage wrong = await http.PostAsync("/api/v1/unlock", new StringContent("""{"pw":"nope"}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Forbidden, wrong.StatusCode);
        using HttpResponseMessage noToken = await http.GetAsync("/api/v1/settings");
        Assert.Equal(HttpStatusCode.Unauthorized, noToken.StatusCode);
        using var badRequest = new HttpRequestMessage(HttpMethod.Post, "/api/v1/mining/stop") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", "not-a-token") } };
        using HttpResponseMessage bad = await http.SendAsync(badRequest);
        Assert.Equal(HttpStatusCode.Unauthorized, bad.StatusCode);
        Assert.False(m.Sleeping);

        using HttpResponseMessage right = await http.PostAsync("/api/v1/unlock", new StringContent("""{"pw":"Right-Pw-1"}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
        using JsonDocument token = JsonDocument.Parse(await right.Content.ReadAsStringAsync());
        Assert.False(string.IsNullOrEmpty(token.RootElement.GetProperty("token").GetString()));

        // Its cgminer port refuses writes (no public source shows VNish taking them): Code 45.
        using JsonDocument add = JsonDocument.Parse(await MinerWire.JsonAsync(m.ListenEndPoint, "addpool", "stratum+tcp://x.example:3333,w,x"));
        Assert.Equal(45, add.RootElement.GetProperty("STATUS")[0].GetProperty("Code").GetInt32());
    }

    [Fact]
    public async Task Pools_pause_preset_and_locate_go_through_the_rest_api_and_read_back_through_the_cgminer_api()
    {
        await using SimulatedFarm farm = await VnishAsync();
        SimulatedMiner m = farm.Miners[0];
        MinerWriter writer = Writer();
        ChannelTarget target = Target(m, "admin");

        ChannelProbe probe = await writer.ChannelFor(Vnish, MinerOperation.SetPools)!.ProbeAsync(target, CancellationToken.None);
        Assert.Equal(ChannelProbeStatus.Ready, probe.Status);
        Assert.True(probe.VendorDefaultPassword); // "admin" is VNish's factory password
        Assert.Contains("Agent:MinerCredentials", probe.Fix, StringComparison.Ordinal);
        Assert.NotNull(probe.PowerTargetRange);
        Assert.True(probe.PowerTargetRange!.Value.MinWatts < probe.PowerTargetRange.Value.MaxWatts);
        Assert.Equal(0, m.WebWritesReceived); // the probe changed nothing

        ChannelResult set = await writer.SetPoolsAsync(target, [new PoolEntry(Customer, "cust.w1", "pool-pw"), new PoolEntry(House, "house.w1", "x")], CancellationToken.None);
        Assert.True(set.Succeeded, set.Error?.ToString());
        Assert.Equal(WriteChannelNames.VnishRest, set.Channel);
        Assert.Equal(2, set.RequestsSent); // unlock, POST settings
        Assert.Equal(0, m.WriteCommandsReceived);
        Assert.True(m.HasPoolPassword(Customer, "cust.w1", "pool-pw"));

        Assert.Equal([(Customer, "cust.w1"), (House, "house.w1")], PoolOrder(await ReadBackAsync(m, "vnish")));
        await AssertSharesAtPoolAsync(farm, Customer, "cust.w1");

        await AssertPauseAndResumeAsync(writer, target, m);

        // A power target picks the nearest preset (the S19 Pro's are 2150…3350 W in the simulator).
        ChannelResult power = await writer.SetPowerTargetAsync(target, Power.FromWatts(2800), CancellationToken.None);
        Assert.True(power.Succeeded, power.Error?.ToString());
        Assert.Equal("2750", m.PowerLevel);
        Assert.Contains("preset 2750", power.Messages[^1], StringComparison.Ordinal);
        Assert.True(await Eventually.TrueAsync(() => m.Snapshot().PowerWatts < 2900, TimeSpan.FromSeconds(15)));

        // The locate LED is a toggle: asking twice for "on" leaves it on.
        Assert.True((await writer.RunAsync(target, MinerOperation.LocateOn, CancellationToken.None)).Succeeded);
        Assert.True((await writer.RunAsync(target, MinerOperation.LocateOn, CancellationToken.None)).Succeeded);
        Assert.True(m.Blinking);
        Assert.True((await writer.RunAsync(target, MinerOperation.LocateOff, CancellationToken.None)).Succeeded);
        Assert.False(m.Blinking);
    }

    [Fact]
    public async Task A_wrong_or_missing_password_is_a_typed_error_naming_miner_channel_and_fix_and_changes_nothing()
    {
        const string wrong = "Not-The-Pw-9";
        await using SimulatedFarm farm = await VnishAsync(password: "Right-Pw-1");
        SimulatedMiner m = farm.Miners[0];
        var before = m.Snapshot().Pools.Select(p => (p.Url, p.User)).ToArray();
        MinerWriter writer = Writer();

        ChannelResult result = await writer.SetPoolsAsync(Target(m, wrong), [new PoolEntry(Customer, "cust.w1", "x")], CancellationToken.None);

        Assert.False(result.Succeeded);
        ChannelError error = result.Error!;
        Assert.Equal((ChannelErrorKind.AuthenticationFailed, m.Id, "vnish-rest"), (error.Kind, error.MinerId, error.Channel));
        Assert.Contains("HTTP 403", error.Message, StringComparison.Ordinal);
        Assert.Contains("Agent:MinerCredentials", error.Fix, StringComparison.Ordinal);
        Assert.DoesNotContain(wrong, error.ToString(), StringComparison.Ordinal);
        Assert.Equal(1, result.RequestsSent); // the unlock only
        Assert.Equal(1, m.VnishUnlocksRefused);
        Assert.Equal(0, m.WebWritesReceived);
        Assert.Equal(before, m.Snapshot().Pools.Select(p => (p.Url, p.User)).ToArray());

        ChannelProbe probe = await writer.ChannelFor(Vnish, MinerOperation.Pause)!.ProbeAsync(Target(m, wrong), CancellationToken.None);
        Assert.Equal(ChannelProbeStatus.AuthenticationFailed, probe.Status);
        Assert.False(probe.Usable);

        ChannelResult missing = await writer.RunAsync(Target(m, null), MinerOperation.Pause, CancellationToken.None);
        Assert.Equal((ChannelErrorKind.MissingCredentials, 0), (missing.Error!.Kind, missing.RequestsSent));
        Assert.Contains(m.Id, missing.Error.Fix, StringComparison.Ordinal);
        Assert.Equal(ChannelProbeStatus.MissingCredentials, (await writer.ChannelFor(Vnish, MinerOperation.Pause)!.ProbeAsync(Target(m, null), CancellationToken.None)).Status);
        Assert.False(m.Sleeping);
    }

    [Fact]
    public async Task A_quota_or_a_fourth_pool_is_refused_before_anything_is_sent()
    {
        await using SimulatedFarm farm = await VnishAsync();
        SimulatedMiner m = farm.Miners[0];
        MinerWriter writer = Writer();

        ChannelResult quota = await writer.SetPoolsAsync(Target(m, "admin"), [new PoolEntry(Customer, "c", "x", Quota: 3)], CancellationToken.None);
        ChannelResult four = await writer.SetPoolsAsync(Target(m, "admin"), [.. Enumerable.Range(0, 4).Select(i => new PoolEntry(Customer, "c" + i, "x"))], CancellationToken.None);

        Assert.Equal((ChannelErrorKind.NotSupported, 0), (quota.Error!.Kind, quota.RequestsSent));
        Assert.Equal((ChannelErrorKind.NotSupported, 0), (four.Error!.Kind, four.RequestsSent));
        Assert.Equal(0, m.WebRequestsReceived);
        Assert.False(Vnish.CanSetQuota);
    }
}
