using System.Text.Json.Nodes;
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

/// <summary>
/// The Whatsminer channels (API v2 on 4028, API v3 on 4433) against the realistic simulated Whatsminer: every write
/// read back through the normal read path and seen by the simulated pool side; refusals typed, contained and
/// without the password.
/// </summary>
public sealed class WhatsminerChannelTests
{
    private const string Password = "Farm-Pw-7";

    private static readonly FirmwareProfileCatalog Catalog = Profiles;

    private static Task<SimulatedFarm> WhatsminerAsync(string firmware, int miners = 1, string password = Password, bool writesEnabled = true) =>
        TestFarms.StartAsync(firmware, miners, customize: (_, s) => s with { ApiPassword = password, ApiWritesEnabled = writesEnabled, ShareDifficulty = 256, RestartDelay = TimeSpan.FromMilliseconds(200) });

    private static ChannelTarget Target(SimulatedMiner m, string? password) =>
        new(m.Id, m.Endpoint, Catalog.Get(m.Firmware))
        {
            Credential = password is null ? null : new MinerCredential(Catalog.Get(m.Firmware).Web.DefaultUser, password),
            ChannelPort = m.ApiV3EndPoint?.Port,
        };

    [Theory]
    [InlineData("whatsminer", "whatsminer-v2")]
    [InlineData("whatsminer-v3", "whatsminer-v3")]
    public async Task Pools_sleep_power_and_led_go_through_the_privileged_api_and_read_back(string firmware, string channel)
    {
        await using SimulatedFarm farm = await WhatsminerAsync(firmware);
        SimulatedMiner m = farm.Miners[0];
        MinerWriter writer = Writer();
        ChannelTarget target = Target(m, Password);

        ChannelResult set = await writer.SetPoolsAsync(target, [new PoolEntry(Customer, "cust.w1", "pool-pw"), new PoolEntry(House, "house.w1", "x")], CancellationToken.None);

        Assert.True(set.Succeeded, set.Error?.ToString());
        Assert.Equal(channel, set.Channel);
        Assert.Equal(2, set.RequestsSent); // token / salt, then the signed write
        Assert.True(m.HasPoolPassword(Customer, "cust.w1", "pool-pw"));

        // Read back through the normal read path, with the profile the detector picks for this firmware.
        var reader = new MinerReader(Catalog, new MinerApiClient(new MinerApiClientOptions()));
        MinerReadResult read = await reader.ReadAsync(m.Endpoint, FirmwareProfileCatalog.Auto, CancellationToken.None);
        Assert.True(read.IsSuccess, read.Error?.ToString());
        Assert.Equal(firmware, reader.DetectedProfile(m.Endpoint)?.Name);
        Assert.Equal([(Customer, "cust.w1"), (House, "house.w1")], read.Snapshot!.Pools.OrderBy(p => p.Priority).Select(p => (p.Url, p.User)).ToArray());

        // The simulated pool side sees the customer worker's shares.
        Assert.True(await Eventually.TrueAsync(() => farm.PoolView().Any(p => p.Url == Customer && p.User == "cust.w1" && p.AcceptedShares > 0), TimeSpan.FromSeconds(20)));

        // Sleep and resume: the hash boards stop and start, the pools stay.
        Assert.True((await writer.RunAsync(target, MinerOperation.Pause, CancellationToken.None)).Succeeded);
        Assert.True(await Eventually.TrueAsync(() => m.Snapshot().Hash5s == 0, TimeSpan.FromSeconds(15)));
        Assert.True((await writer.RunAsync(target, MinerOperation.Resume, CancellationToken.None)).Succeeded);
        Assert.True(await Eventually.TrueAsync(() => m.Snapshot().Hash5s > 0, TimeSpan.FromSeconds(15)));
        Assert.Equal([(Customer, "cust.w1"), (House, "house.w1")], m.Snapshot().Pools.OrderBy(p => p.Priority).Select(p => (p.Url, p.User)).ToArray());

        // A power target below stock: power and hashrate come down in proportion, read back through the API.
        double stockWatts = m.Model.PowerWatts;
        ChannelResult power = await writer.SetPowerTargetAsync(target, Power.FromWatts(stockWatts * 0.6), CancellationToken.None);
        Assert.True(power.Succeeded, power.Error?.ToString());
        Assert.Equal(Math.Round(stockWatts * 0.6), m.PowerLimitWatts);
        Assert.True(await Eventually.TrueAsync(
            async () => (await reader.ReadAsync(m.Endpoint, firmware, CancellationToken.None)).Snapshot is { } s && s.Power is { } w && w.Watts < stockWatts * 0.7 && s.Hashrate5s is { } h && h.TerahashesPerSecond < m.Model.NominalTerahash * 0.7,
            TimeSpan.FromSeconds(20)));

        Assert.True((await writer.RunAsync(target, MinerOperation.LocateOn, CancellationToken.None)).Succeeded);
        Assert.True(m.Blinking);
        Assert.True((await writer.RunAsync(target, MinerOperation.LocateOff, CancellationToken.None)).Succeeded);
        Assert.False(m.Blinking);

        // Restart of the mining software: the miner goes away and comes back.
        int boots = m.BootCount;
        Assert.True((await writer.RunAsync(target, MinerOperation.RestartMining, CancellationToken.None)).Succeeded);
        Assert.True(await Eventually.TrueAsync(() => m.BootCount > boots, TimeSpan.FromSeconds(15)));

        ChannelProbe probe = await writer.ChannelFor(target.Profile, MinerOperation.SetPools)!.ProbeAsync(target, CancellationToken.None);
        Assert.Equal(ChannelProbeStatus.Ready, probe.Status);
        Assert.False(probe.VendorDefaultPassword);
    }

    [Theory]
    [InlineData("whatsminer", "whatsminer-v2", "Code 135")]
    [InlineData("whatsminer-v3", "whatsminer-v3", "code -1")]
    public async Task A_wrong_password_is_a_typed_error_naming_miner_channel_and_fix_and_changes_nothing_on_the_rack(string firmware, string channel, string code)
    {
        const string wrong = "Not-The-Pw-9";
        await using SimulatedFarm farm = await WhatsminerAsync(firmware, miners: 2);
        SimulatedMiner m = farm.Miners[0], other = farm.Miners[1];
        var before = farm.Miners.Select(x => x.Snapshot().Pools.Select(p => (p.Url, p.User)).ToArray()).ToArray();
        MinerWriter writer = Writer();

        ChannelResult result = await writer.SetPoolsAsync(Target(m, wrong), [new PoolEntry(Customer, "cust.w1", "x")], CancellationToken.None);

        Assert.False(result.Succeeded);
        ChannelError error = result.Error!;
        Assert.Equal(ChannelErrorKind.AuthenticationFailed, error.Kind);
        Assert.Equal((m.Id, channel), (error.MinerId, error.Channel));
        Assert.Contains(code, error.Message, StringComparison.Ordinal);
        Assert.Contains("Agent:MinerCredentials", error.Fix, StringComparison.Ordinal);
        Assert.StartsWith($"miner {m.Id}, channel {channel}:", error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(wrong, error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(Password, error.ToString(), StringComparison.Ordinal);
        Assert.Equal(1, m.ApiLoginsRefused);
        Assert.Equal(before, farm.Miners.Select(x => x.Snapshot().Pools.Select(p => (p.Url, p.User)).ToArray()).ToArray());
        Assert.Equal(0, other.WriteCommandsReceived);

        ChannelProbe probe = await writer.ChannelFor(Target(m, wrong).Profile, MinerOperation.SetPools)!.ProbeAsync(Target(m, wrong), CancellationToken.None);
        Assert.Equal(ChannelProbeStatus.AuthenticationFailed, probe.Status);
        Assert.DoesNotContain(wrong, probe.ToString(), StringComparison.Ordinal);

        long writes = m.WriteCommandsReceived;
        ChannelResult missing = await writer.SetPoolsAsync(Target(m, null), [new PoolEntry(Customer, "cust.w1", "x")], CancellationToken.None);
        Assert.Equal((ChannelErrorKind.MissingCredentials, 0), (missing.Error!.Kind, missing.RequestsSent));
        Assert.Contains("Agent:MinerCredentials", missing.Error.Fix, StringComparison.Ordinal);
        Assert.Equal(writes, m.WriteCommandsReceived);
        Assert.Equal(ChannelProbeStatus.MissingCredentials, (await writer.ChannelFor(Target(m, null).Profile, MinerOperation.SetPools)!.ProbeAsync(Target(m, null), CancellationToken.None)).Status);
    }

    [Theory]
    [InlineData("whatsminer", "can't access write cmd")]
    [InlineData("whatsminer-v3", "no permission")]
    public async Task Writes_not_enabled_in_the_vendor_tool_are_reported_disabled_with_the_fix(string firmware, string message)
    {
        await using SimulatedFarm farm = await WhatsminerAsync(firmware, writesEnabled: false);
        SimulatedMiner m = farm.Miners[0];
        var before = m.Snapshot().Pools.Select(p => (p.Url, p.User)).ToArray();
        MinerWriter writer = Writer();

        ChannelResult result = await writer.RunAsync(Target(m, Password), MinerOperation.Pause, CancellationToken.None);
        ChannelProbe probe = await writer.ChannelFor(Target(m, Password).Profile, MinerOperation.SetPools)!.ProbeAsync(Target(m, Password), CancellationToken.None);

        Assert.Equal(ChannelErrorKind.AccessDenied, result.Error!.Kind);
        Assert.Contains(message, result.Error.Message, StringComparison.Ordinal);
        Assert.Contains("WhatsMinerTool", result.Error.Fix, StringComparison.Ordinal);
        Assert.Equal(ChannelProbeStatus.Disabled, probe.Status);
        Assert.Contains("WhatsMinerTool", probe.Fix, StringComparison.Ordinal);
        Assert.True(m.Snapshot().Hash5s > 0);
        Assert.Equal(before, m.Snapshot().Pools.Select(p => (p.Url, p.User)).ToArray());
    }

    [Theory]
    [InlineData("whatsminer", "admin")]
    [InlineData("whatsminer-v3", "super")]
    public async Task The_factory_password_is_flagged_and_the_firmware_refuses_writes_with_it(string firmware, string factory)
    {
        await using SimulatedFarm farm = await WhatsminerAsync(firmware, password: factory);
        SimulatedMiner m = farm.Miners[0];

        ChannelProbe probe = await Writer().ChannelFor(Target(m, factory).Profile, MinerOperation.SetPools)!.ProbeAsync(Target(m, factory), CancellationToken.None);

        Assert.True(probe.VendorDefaultPassword);
        Assert.Equal(ChannelProbeStatus.Disabled, probe.Status);
        Assert.Contains("factory password", probe.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Api_v2_refuses_plaintext_writes_and_unknown_tokens_and_late_2024_firmware_has_no_v2_writes()
    {
        await using SimulatedFarm v2 = await WhatsminerAsync("whatsminer");
        SimulatedMiner m = v2.Miners[0];

        JsonObject plain = Json(await WhatsminerWire.ExchangeV2Async(m.Endpoint.Host, m.Endpoint.Port, """{"cmd":"update_pools","pool1":"stratum+tcp://x.example:3333","worker1":"w","passwd1":"x"}""", TimeSpan.FromSeconds(5), CancellationToken.None));
        Assert.Equal(("E", 45), (plain["STATUS"]!.ToString(), (int)plain["Code"]!));

        // Ciphertext under a key no token was issued for: the firmware's "check token error".
        byte[] stranger = WhatsminerCrypto.DeriveV2(Password, "Unissued", "Unissued", "1").AesKey;
        string forged = new JsonObject { ["enc"] = 1, ["data"] = WhatsminerCrypto.EncryptBase64(stranger, """{"cmd":"power_off","respbefore":"true","token":"x"}""") }.ToJsonString();
        JsonObject refused = Json(await WhatsminerWire.ExchangeV2Async(m.Endpoint.Host, m.Endpoint.Port, forged, TimeSpan.FromSeconds(5), CancellationToken.None));
        Assert.Equal((135, "check token error"), ((int)refused["Code"]!, refused["Msg"]!.ToString()));
        Assert.True(m.Snapshot().Hash5s > 0);

        JsonObject token = Json(await WhatsminerWire.ExchangeV2Async(m.Endpoint.Host, m.Endpoint.Port, """{"cmd":"get_token"}""", TimeSpan.FromSeconds(5), CancellationToken.None));
        Assert.Equal(134, (int)token["Code"]!);
        Assert.Equal(8, token["Msg"]!["salt"]!.ToString().Length);

        await using SimulatedFarm v3 = await WhatsminerAsync("whatsminer-v3");
        SimulatedMiner late = v3.Miners[0];
        ChannelResult viaV2 = await new WhatsminerV2Channel(TimeSpan.FromSeconds(5)).SetPoolsAsync(Target(late, Password) with { Profile = Catalog.Get("whatsminer") }, [new PoolEntry(Customer, "c", "x")], CancellationToken.None);
        Assert.Equal(ChannelErrorKind.NotSupported, viaV2.Error!.Kind);
        Assert.Contains("API v3", viaV2.Error.Fix, StringComparison.Ordinal);
    }

    private static JsonObject Json(string text) => (JsonObject)JsonNode.Parse(text)!;
}
