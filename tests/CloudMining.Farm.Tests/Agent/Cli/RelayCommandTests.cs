using System.Device.Gpio;
using CloudMining.Farm.Agent.Cli;
using CloudMining.Farm.Simulator.Power;
using Xunit;

namespace CloudMining.Farm.Tests.Agent.Cli;

public sealed class RelayCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("farm-agent-relay-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Config(string relays = """[ { "Outlet": "PDU-A/7", "Miner": "S19-07", "Line": 7 } ]""", string minOff = "00:00:00")
    {
        string path = Path.Combine(_dir, "agent.json");
        File.WriteAllText(path, $$"""
            { "Agent": { "RackId": "A-07", "StateDirectory": "state", "Log": { "Directory": "" },
              "Power": { "MinOffTime": "{{minOff}}", "PowerUpGap": "00:00:00" },
              "Hardware": { "GpioChip": "sim", "Relays": {{relays}} },
              "Miners": [ { "Id": "S19-07", "Address": "10.0.0.7" }, { "Id": "S19-08", "Address": "10.0.0.8" } ] } }
            """);
        return path;
    }

    private static async Task<(int Code, string Output, string Error)> RunAsync(string config, string outlet, bool yes, bool terminal, string typed, GpioDriverSimulator chip)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        int code = await RelayCommand.ExecuteAsync(config, outlet, yes, new StringReader(typed), terminal, output, error, TimeProvider.System, _ => chip, CancellationToken.None, SimulatedRelayChips.Factory);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task Without_yes_on_a_non_interactive_stdin_it_refuses_and_switches_nothing()
    {
        var chip = new GpioDriverSimulator(16);
        var changes = new List<int>();
        chip.LineChanged += (_, e) => changes.Add(e.PinNumber);

        (int code, string output, string error) = await RunAsync(Config(), "PDU-A/7", yes: false, terminal: false, typed: "y\n", chip);

        Assert.Equal(2, code);
        Assert.Contains("PDU-A/7 (GPIO line 7 on sim) feeds miner S19-07 at 10.0.0.7: it will be powered OFF for 0 s and back ON.", output, StringComparison.Ordinal);
        Assert.Contains("stdin is not a terminal", error, StringComparison.Ordinal);
        Assert.Contains("--yes", error, StringComparison.Ordinal);
        Assert.Empty(changes);
        Assert.False(chip.IsOpen(7));
    }

    [Fact]
    public async Task With_yes_it_cycles_the_outlet_off_and_back_on()
    {
        var chip = new GpioDriverSimulator(16);
        var levels = new List<PinValue>();
        chip.LineChanged += (_, e) => levels.Add(e.PhysicalLevel);

        (int code, string output, string error) = await RunAsync(Config(), "pdu-a/7", yes: true, terminal: false, typed: string.Empty, chip);

        Assert.True(code == 0, error);
        Assert.Equal([PinValue.High, PinValue.Low], levels); // normally-closed, active-high: energise = off
        Assert.Contains("power-off: outlet PDU-A/7 (line 7) feeding S19-07 switched OFF", output, StringComparison.Ordinal);
        Assert.Contains("Done: PDU-A/7 was cycled", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task At_a_terminal_anything_but_yes_switches_nothing()
    {
        var chip = new GpioDriverSimulator(16);
        var changes = new List<int>();
        chip.LineChanged += (_, e) => changes.Add(e.PinNumber);

        (int code, string output, _) = await RunAsync(Config(), "PDU-A/7", yes: false, terminal: true, typed: "\n", chip);

        Assert.Equal(1, code);
        Assert.Contains("Power-cycle PDU-A/7 now? [y/N]", output, StringComparison.Ordinal);
        Assert.Contains("Nothing was switched.", output, StringComparison.Ordinal);
        Assert.Empty(changes);
    }

    [Fact]
    public async Task Unknown_outlet_lists_the_known_ones()
    {
        (int code, _, string error) = await RunAsync(Config(), "PDU-B/1", yes: true, terminal: false, typed: string.Empty, new GpioDriverSimulator(16));

        Assert.Equal(2, code);
        Assert.Contains("no outlet 'PDU-B/1' in Agent:Hardware:Relays (known: PDU-A/7)", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Inconsistent_map_is_reported_by_entry_and_nothing_is_switched()
    {
        string config = Config("""[ { "Outlet": "PDU-A/7", "Miner": "S19-07", "Line": 7 }, { "Outlet": "PDU-A/8", "Miner": "S19-08", "Line": 7 } ]""");
        var chip = new GpioDriverSimulator(16);

        (int code, _, string error) = await RunAsync(config, "PDU-A/7", yes: true, terminal: false, typed: string.Empty, chip);

        Assert.Equal(RunCommand.ConfigErrorExitCode, code);
        Assert.Contains("Agent:Hardware:Relays:1:Line: 7 is also used by Relays:0 (PDU-A/7)", error, StringComparison.Ordinal);
        Assert.False(chip.IsOpen(7));
    }

    [Fact]
    public void Watchdog_release_clears_a_quarantined_miner_and_says_when_there_is_none()
    {
        string config = Config();
        string state = Path.Combine(_dir, "state");
        CloudMining.Farm.Agent.Watchdog.WatchdogStateFile.Write(state, new CloudMining.Farm.Agent.Watchdog.WatchdogDocument
        {
            Quarantined = [new CloudMining.Farm.Agent.Watchdog.QuarantineEntry("S19-07", DateTimeOffset.UnixEpoch, "not answering", 3)],
        });
        using var output = new StringWriter();
        using var error = new StringWriter();

        Assert.Equal(0, WatchdogCommand.Release(config, "s19-07", output, error));
        Assert.Empty(CloudMining.Farm.Agent.Watchdog.WatchdogStateFile.Read(state).Quarantined);
        Assert.Equal(1, WatchdogCommand.Release(config, "S19-07", output, error));
        Assert.Contains("S19-07 is not quarantined (quarantined: none)", error.ToString(), StringComparison.Ordinal);
    }
}
