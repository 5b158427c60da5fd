using CloudMining.Farm.Agent.Channels;
using CloudMining.Farm.Agent.Configuration;
using CloudMining.Farm.Agent.Serials;
using CloudMining.Farm.Shared.Firmware;
using CloudMining.Farm.Shared.Firmware.Channels;
using CloudMining.Farm.Shared.MinerApi;
using CloudMining.Farm.Shared.Snapshots;
using CloudMining.Farm.Simulator;
using CloudMining.Farm.Tests.Infrastructure;
using CloudMining.Farm.Tests.Simulator;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace CloudMining.Farm.Tests.Agent.Serials;

/// <summary>
/// When the agent reads a serial off the cgminer API (on a fake clock, against a simulated stock Antminer): at the
/// first answer, after a miner comes back, then hourly; never on every poll; a failure backs off, warns once, and the
/// reading goes on without a serial.
/// </summary>
public sealed class MinerSerialServiceTests
{
    private const string Password = "Sn-Pw-5150";

    private static readonly FirmwareProfileCatalog Catalog = FirmwareProfileCatalog.Load(RepoPaths.FirmwareProfiles);

    [Fact]
    public async Task The_serial_is_read_at_the_first_answer_again_after_an_hour_and_after_the_miner_came_back_but_not_every_poll()
    {
        await using SimulatedFarm farm = await StockAsync(Password);
        SimulatedMiner m = farm.Miners[0];
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2026-12-06T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var logs = new InMemoryLoggerProvider();
        MinerSerialService serials = Service(m, Password, clock, logs);
        MinerSnapshot reading = await ReadAsync(m);
        Assert.Null(reading.Identity.Serial); // stock firmware gives none on the cgminer API

        for (int poll = 0; poll < 3; poll++)
        {
            Assert.Null(serials.Complete(m.Id, m.Endpoint, reading).Identity.Serial);
        }

        Assert.Equal(1, serials.Pending);
        Assert.Equal(1, await serials.RunPendingAsync(CancellationToken.None));
        Assert.Equal(m.Identity.Serial, serials.Known(m.Id));
        Assert.Equal(m.Identity.Serial, serials.Complete(m.Id, m.Endpoint, reading).Identity.Serial);
        Assert.Contains(logs.Records, r => r.Level == LogLevel.Information && r.Message.Contains($"Miner {m.Id}: serial {m.Identity.Serial} read through bitmain-web", StringComparison.Ordinal));

        clock.Advance(TimeSpan.FromMinutes(59));
        serials.Complete(m.Id, m.Endpoint, reading);
        Assert.Equal(0, serials.Pending);

        clock.Advance(TimeSpan.FromMinutes(2));
        serials.Complete(m.Id, m.Endpoint, reading);
        Assert.Equal(1, serials.Pending);
        Assert.Equal(1, await serials.RunPendingAsync(CancellationToken.None));

        serials.Lost(m.Id);
        Assert.Equal(m.Identity.Serial, serials.Complete(m.Id, m.Endpoint, reading).Identity.Serial); // last known meanwhile
        Assert.Equal(1, serials.Pending);
        await serials.RunPendingAsync(CancellationToken.None);
        Assert.Equal(3, serials.Reads);
    }

    [Fact]
    public async Task A_refused_login_backs_off_warns_once_and_the_reading_goes_on_without_a_serial()
    {
        await using SimulatedFarm farm = await StockAsync(Password);
        SimulatedMiner m = farm.Miners[0];
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2026-12-06T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var logs = new InMemoryLoggerProvider();
        MinerSerialService serials = Service(m, "Wrong-Pw-1", clock, logs);
        MinerSnapshot reading = await ReadAsync(m);

        serials.Complete(m.Id, m.Endpoint, reading);
        SerialRead? first = await serials.ReadNowAsync(m.Id, CancellationToken.None);
        await serials.RunPendingAsync(CancellationToken.None);
        Assert.Equal(ChannelErrorKind.AuthenticationFailed, first?.Error?.Kind);

        clock.Advance(TimeSpan.FromSeconds(10));
        MinerSnapshot completed = serials.Complete(m.Id, m.Endpoint, reading);
        Assert.Same(reading, completed); // nothing to add, the reading stands as it is
        Assert.Equal(0, serials.Pending); // backing off

        clock.Advance(TimeSpan.FromSeconds(60));
        serials.Complete(m.Id, m.Endpoint, reading);
        Assert.Equal(1, serials.Pending);
        await serials.RunPendingAsync(CancellationToken.None);

        InMemoryLoggerProvider.LogRecord warning = Assert.Single(logs.Records, r => r.Level == LogLevel.Warning);
        Assert.Contains($"Miner {m.Id}: its serial could not be read through bitmain-web", warning.Message, StringComparison.Ordinal);
        Assert.Contains("refused the login of user 'root'", warning.Message, StringComparison.Ordinal);
        Assert.Contains("Agent:MinerCredentials", warning.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Wrong-Pw-1", warning.Message, StringComparison.Ordinal);
        Assert.Null(serials.Known(m.Id));
        Assert.True(m.WebLoginsRefused >= 2);
    }

    private static Task<SimulatedFarm> StockAsync(string password) =>
        TestFarms.StartAsync("antminer", customize: (_, s) => s with { WebPort = 0, WebPassword = password });

    private static MinerSerialService Service(SimulatedMiner m, string password, TimeProvider clock, InMemoryLoggerProvider logs)
    {
        var options = new AgentOptions();
        options.Miners.Add(new MinerOptions { Id = m.Id, Address = m.Endpoint.Host, Port = m.Endpoint.Port, WebPort = m.WebEndPoint!.Port });
        options.MinerCredentials.Add(new MinerCredentialOptions { Miner = m.Id, Password = password });
        var channels = new MinerChannels(MinerWriter.Create(new MinerApiClient(new MinerApiClientOptions()), TimeSpan.FromSeconds(5)), new MinerCredentials(options.MinerCredentials), options);
        return new MinerSerialService(channels, Catalog, clock, logs.CreateLogger<MinerSerialService>());
    }

    private static async Task<MinerSnapshot> ReadAsync(SimulatedMiner m)
    {
        MinerReadResult read = await new MinerReader(Catalog, new MinerApiClient(new MinerApiClientOptions())).ReadAsync(m.Endpoint, FirmwareProfileCatalog.Auto, CancellationToken.None);
        Assert.True(read.IsSuccess, read.Error?.ToString());
        return read.Snapshot!;
    }
}
