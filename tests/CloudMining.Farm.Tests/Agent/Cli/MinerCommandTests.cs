using System.Net;
using System.Text.Json;
using CloudMining.Farm.Agent.Cli;
using CloudMining.Farm.Simulator;
using CloudMining.Farm.Tests.Infrastructure;
using Xunit;

namespace CloudMining.Farm.Tests.Agent.Cli;

/// <summary>
/// `farm-agent miner ID …` through the real command against a realistic simulated rack (no agent service running): a
/// stock Antminer whose cgminer API refuses writes (its web CGI with a non-default Digest login from secrets.json
/// does them), a Braiins OS+ miner changed through its gRPC API (same login), and a generic cgminer whose profile
/// routes no LED.
/// </summary>
public sealed class MinerCommandTests : IAsyncLifetime
{
    private const string Password = "Rack-Web-S3cret-93";

    private readonly string _dir = Directory.CreateTempSubdirectory("farm-agent-miner-").FullName;
    private SimulatedFarm _farm = null!;

    private SimulatedMiner Stock => _farm.Miners[0];

    private SimulatedMiner Bos => _farm.Miners[1];

    private SimulatedMiner Generic => _farm.Miners[2];

    public async Task InitializeAsync()
    {
        _farm = await SimulatedFarm.StartAsync(new FarmOptions
        {
            Miners = 3,
            Firmwares = ["antminer", "braiins-os", "generic-cgminer"],
            BaseAddress = IPAddress.Loopback,
            SharedAddress = true,
            Port = 0,
            WriteAccess = true,
            WebPort = 0,
            PermissiveRpcWrites = false,
            Customize = (_, spec) => spec with { BootDelay = TimeSpan.FromMilliseconds(300), RestartDelay = TimeSpan.FromMilliseconds(300), WebPassword = Password },
        });
        var config = new
        {
            Agent = new
            {
                RackId = "T-01",
                StateDirectory = "state",
                MinerTimeout = "00:00:02",
                ProfilesDirectory = RepoPaths.FirmwareProfiles,
                Log = new { Directory = string.Empty },
                Miners = _farm.Miners.Select(m => new { m.Id, Address = m.Endpoint.Host, m.Endpoint.Port, Profile = m.Firmware, WebPort = m.WebEndPoint?.Port }).ToArray(),
            },
        };
        await File.WriteAllTextAsync(Path.Combine(_dir, "agent.json"), JsonSerializer.Serialize(config));
        var secrets = new { Agent = new { MinerCredentials = new[] { new { Miner = "*", Profile = "antminer", Password }, new { Miner = "*", Profile = "braiins-os", Password } } } };
        await File.WriteAllTextAsync(Path.Combine(_dir, "secrets.json"), JsonSerializer.Serialize(secrets));
    }

    public async Task DisposeAsync()
    {
        await _farm.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private async Task<(int Code, string Output, string Error)> RunAsync(string minerId, string verb, string? state = null, bool yes = false, bool terminal = false, string typed = "")
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        int code = await MinerCommand.ExecuteAsync(Path.Combine(_dir, "agent.json"), minerId, verb, state, yes, new StringReader(typed), terminal, output, error, CancellationToken.None);
        Assert.DoesNotContain(Password, output.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(Password, error.ToString(), StringComparison.Ordinal);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task Led_on_and_off_blink_the_stock_antminer_through_its_web_cgi_without_asking()
    {
        Assert.False(Stock.Blinking);

        (int code, string output, string error) = await RunAsync(Stock.Id, "led", "on");

        Assert.True(code == 0, error);
        Assert.True(Stock.Blinking);
        Assert.Contains($"Done: led on on {Stock.Id} through bitmain-web", output, StringComparison.Ordinal);
        Assert.Equal(0, Stock.WriteCommandsReceived);

        (code, _, error) = await RunAsync(Stock.Id, "LED", "off");
        Assert.True(code == 0, error);
        Assert.False(Stock.Blinking);
    }

    [Fact]
    public async Task Sleep_with_yes_stops_the_miner_hashing_and_wake_starts_it_again()
    {
        Assert.True(await Eventually.TrueAsync(() => Stock.Snapshot().Hash5s > 0, TimeSpan.FromSeconds(10)));

        (int code, string output, string error) = await RunAsync(Stock.Id, "sleep", yes: true);

        Assert.True(code == 0, error);
        Assert.Contains("it will stop hashing (sleep)", output, StringComparison.Ordinal);
        Assert.True(Stock.Sleeping);
        Assert.True(await Eventually.TrueAsync(() => Stock.Snapshot().Hash5s == 0, TimeSpan.FromSeconds(10)), "still hashing after sleep");

        (code, _, error) = await RunAsync(Stock.Id, "wake", yes: true);
        Assert.True(code == 0, error);
        Assert.False(Stock.Sleeping);
    }

    [Fact]
    public async Task State_changing_actions_refuse_without_a_terminal_or_a_yes_and_send_nothing()
    {
        (int code, _, string error) = await RunAsync(Stock.Id, "reboot");
        Assert.Equal(MinerCommand.ExitUsage, code);
        Assert.Contains("--yes", error, StringComparison.Ordinal);

        (code, string output, _) = await RunAsync(Stock.Id, "sleep", terminal: true, typed: "n\n");
        Assert.Equal(MinerCommand.ExitFailed, code);
        Assert.Contains($"Sleep {Stock.Id} now? [y/N]", output, StringComparison.Ordinal);
        Assert.Contains("Nothing was sent.", output, StringComparison.Ordinal);

        Assert.Equal(0, Stock.WebWritesReceived);
        Assert.False(Stock.Sleeping);
    }

    [Fact]
    public async Task An_action_the_miners_route_does_not_offer_names_the_miner_its_profile_and_what_is_possible()
    {
        (int code, string output, string error) = await RunAsync(Generic.Id, "led", "on");

        Assert.Equal(MinerCommand.ExitNotOffered, code);
        Assert.Empty(output);
        Assert.Contains($"miner {Generic.Id} (firmware profile 'generic-cgminer') offers no 'led on'", error, StringComparison.Ordinal);
        Assert.Contains($"Possible for {Generic.Id}: pools", error, StringComparison.Ordinal);
        Assert.Equal(0, Generic.WriteCommandsReceived);
    }

    [Fact]
    public async Task Led_on_and_off_blink_the_braiins_miner_through_its_grpc_api()
    {
        (int code, string output, string error) = await RunAsync(Bos.Id, "led", "on");

        Assert.True(code == 0, error);
        Assert.True(Bos.Blinking);
        Assert.Contains($"Done: led on on {Bos.Id} through braiins-grpc", output, StringComparison.Ordinal);
        Assert.Equal(0, Bos.WriteCommandsReceived);

        (code, _, error) = await RunAsync(Bos.Id, "led", "off");
        Assert.True(code == 0, error);
        Assert.False(Bos.Blinking);
    }

    [Fact]
    public async Task Pools_shows_what_the_miner_mines_on_read_only()
    {
        (int code, string output, string error) = await RunAsync(Stock.Id, "pools");

        Assert.True(code == 0, error);
        Assert.Contains($"Miner {Stock.Id} (firmware profile 'antminer')", output, StringComparison.Ordinal);
        Assert.Contains("stratum+", output, StringComparison.Ordinal);
        Assert.Equal((0L, 0L), (Stock.WriteCommandsReceived, Stock.WebWritesReceived));
    }

    [Fact]
    public async Task A_wrong_password_prints_the_channels_error_and_fix_but_never_the_password()
    {
        const string wrong = "Wr0ng-Cli-Secret-5";
        await File.WriteAllTextAsync(Path.Combine(_dir, "secrets.json"),
            JsonSerializer.Serialize(new { Agent = new { MinerCredentials = new[] { new { Miner = "*", Profile = "antminer", Password = wrong } } } }));

        (int code, string output, string error) = await RunAsync(Stock.Id, "led", "on");

        Assert.Equal(MinerCommand.ExitFailed, code);
        Assert.Contains("bitmain-web", error, StringComparison.Ordinal);
        Assert.Contains("Fix:", error, StringComparison.Ordinal);
        Assert.Contains("Agent:MinerCredentials", error, StringComparison.Ordinal);
        Assert.DoesNotContain(wrong, output + error, StringComparison.Ordinal);
        Assert.False(Stock.Blinking);
    }

    [Fact]
    public async Task An_unknown_miner_or_action_is_a_usage_error()
    {
        (int code, _, string error) = await RunAsync("Z99-99", "led", "on");
        Assert.Equal(MinerCommand.ExitUsage, code);
        Assert.Contains($"known: {Stock.Id}, {Bos.Id}", error, StringComparison.Ordinal);

        (code, _, error) = await RunAsync(Stock.Id, "dance");
        Assert.Equal(MinerCommand.ExitUsage, code);
        Assert.Contains("led on, led off, reboot, sleep, wake, pools", error, StringComparison.Ordinal);
    }
}
