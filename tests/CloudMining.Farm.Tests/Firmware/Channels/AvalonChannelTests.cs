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

/// <summary>Avalon's operations through cgminer RPC: ascset softoff/softon, worklevel and led, with the replies captured from real Avalon firmware.</summary>
public sealed class AvalonChannelTests
{
    private static readonly FirmwareProfile Avalon = Profiles.Get("avalon");

    private static ChannelTarget Target(SimulatedMiner m) => new(m.Id, m.Endpoint, Avalon);

    [Fact]
    public async Task Ascset_answers_as_real_avalon_firmware_does()
    {
        await using SimulatedFarm farm = await TestFarms.StartAsync("avalon", writeAccess: true, permissiveRpcWrites: false);
        SimulatedMiner m = farm.Miners[0];

        // The replies asic-rs captured from a real Avalon (its test fixtures ascset_softoff/softon/workmode).
        using JsonDocument off = JsonDocument.Parse(await MinerWire.JsonAsync(m.ListenEndPoint, "ascset", "0,softoff,1:1753434821"));
        JsonElement offStatus = off.RootElement.GetProperty("STATUS")[0];
        Assert.Equal(("I", 118, "ASC 0 set info: success softoff:1753434821"), (offStatus.GetProperty("STATUS").GetString(), offStatus.GetProperty("Code").GetInt32(), offStatus.GetProperty("Msg").GetString()));
        Assert.True(m.Sleeping);
        using JsonDocument on = JsonDocument.Parse(await MinerWire.JsonAsync(m.ListenEndPoint, "ascset", "0,softon,1:1753434757"));
        Assert.Equal("ASC 0 set info: success softon:1753434757", on.RootElement.GetProperty("STATUS")[0].GetProperty("Msg").GetString());
        Assert.False(m.Sleeping);
        using JsonDocument level = JsonDocument.Parse(await MinerWire.JsonAsync(m.ListenEndPoint, "ascset", "0,worklevel,set,0"));
        JsonElement levelStatus = level.RootElement.GetProperty("STATUS")[0];
        Assert.Equal(("S", 119, "ASC 0 set OK"), (levelStatus.GetProperty("STATUS").GetString(), levelStatus.GetProperty("Code").GetInt32(), levelStatus.GetProperty("Msg").GetString()));
        Assert.Equal("0", m.PowerLevel);
        using JsonDocument help = JsonDocument.Parse(await MinerWire.JsonAsync(m.ListenEndPoint, "ascset", "0,nonsense"));
        Assert.StartsWith("ASC 0 set info: help|", help.RootElement.GetProperty("STATUS")[0].GetProperty("Msg").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pause_resume_power_level_and_led_go_through_ascset()
    {
        await using SimulatedFarm farm = await TestFarms.StartAsync("avalon", writeAccess: true, permissiveRpcWrites: false);
        SimulatedMiner m = farm.Miners[0];
        MinerWriter writer = Writer();

        ChannelResult pause = await writer.RunAsync(Target(m), MinerOperation.Pause, CancellationToken.None);
        Assert.True(pause.Succeeded, pause.Error?.ToString());
        Assert.StartsWith("ASC 0 set info: success softoff:", pause.Messages[0], StringComparison.Ordinal);
        Assert.True(m.Sleeping);
        Assert.True((await writer.RunAsync(Target(m), MinerOperation.Resume, CancellationToken.None)).Succeeded);
        Assert.False(m.Sleeping);

        // Levels, not watts: 3100 W is nearest level 0 (about 3000 W) of the profile's table.
        ChannelResult power = await writer.SetPowerTargetAsync(Target(m), Power.FromWatts(3100), CancellationToken.None);
        Assert.True(power.Succeeded, power.Error?.ToString());
        Assert.Equal("0", m.PowerLevel);
        Assert.Contains("level 0", power.Messages[^1], StringComparison.Ordinal);
        Assert.True((await writer.SetPowerTargetAsync(Target(m), Power.FromWatts(3750), CancellationToken.None)).Succeeded);
        Assert.Null(m.PowerLevel); // level 1, the default

        Assert.True((await writer.RunAsync(Target(m), MinerOperation.LocateOn, CancellationToken.None)).Succeeded);
        Assert.True(m.Blinking);
        Assert.True((await writer.RunAsync(Target(m), MinerOperation.LocateOff, CancellationToken.None)).Succeeded);
        Assert.False(m.Blinking);
    }

    [Fact]
    public async Task Without_write_access_ascset_is_refused_with_code_45_and_nothing_changes()
    {
        await using SimulatedFarm farm = await TestFarms.StartAsync("avalon", writeAccess: false, permissiveRpcWrites: false);
        SimulatedMiner m = farm.Miners[0];

        ChannelResult pause = await Writer().RunAsync(Target(m), MinerOperation.Pause, CancellationToken.None);

        Assert.False(pause.Succeeded);
        Assert.Equal((ChannelErrorKind.AccessDenied, m.Id, "cgminer-rpc"), (pause.Error!.Kind, pause.Error.MinerId, pause.Error.Channel));
        Assert.Contains("api-allow", pause.Error.Fix, StringComparison.Ordinal);
        Assert.False(m.Sleeping);
    }
}
