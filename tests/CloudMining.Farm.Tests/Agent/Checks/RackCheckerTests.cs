using System.Text.Json;
using CloudMining.Farm.Agent.Checks;
using CloudMining.Farm.Agent.Cli;
using CloudMining.Farm.Shared.Wire;
using CloudMining.Farm.Simulator.Power;
using CloudMining.Farm.Tests.Agent.Polling;
using CloudMining.Farm.Tests.Infrastructure;
using Spectre.Console;
using Xunit;

namespace CloudMining.Farm.Tests.Agent.Checks;

public sealed class RackCheckerTests
{
    /// <summary>A rack's config file plus a fake sysfs tree with one DS18B20 and one hwmon input.</summary>
    private sealed class RackFiles
    {
        public required string ConfigPath { get; init; }

        public static async Task<RackFiles> WriteAsync(
            SimulatedRack rack,
            Func<int, string>? profile = null,
            IEnumerable<object>? extraMiners = null,
            IEnumerable<object>? relays = null,
            IEnumerable<object>? sensors = null,
            IEnumerable<object>? fans = null,
            string gpioChip = "sim",
            IEnumerable<object>? minerCredentials = null)
        {
            string dir = rack.Options.StateDirectory;
            string sys = Path.Combine(dir, "sys");
            Directory.CreateDirectory(Path.Combine(sys, "bus", "w1", "devices", "28-0000012345ab"));
            await File.WriteAllTextAsync(
                Path.Combine(sys, "bus", "w1", "devices", "28-0000012345ab", "w1_slave"),
                "72 01 4b 46 7f ff 0e 10 57 : crc=57 YES\n72 01 4b 46 7f ff 0e 10 57 t=23125\n");
            Directory.CreateDirectory(Path.Combine(sys, "class", "hwmon", "hwmon1"));
            await File.WriteAllTextAsync(Path.Combine(sys, "class", "hwmon", "hwmon1", "name"), "nct6775\n");
            await File.WriteAllTextAsync(Path.Combine(sys, "class", "hwmon", "hwmon1", "temp2_input"), "41500\n");
            Directory.CreateDirectory(Path.Combine(sys, "class", "pwm", "pwmchip0"));
            await File.WriteAllTextAsync(Path.Combine(sys, "class", "pwm", "pwmchip0", "npwm"), "2\n");
            await File.WriteAllTextAsync(Path.Combine(sys, "class", "pwm", "pwmchip0", "export"), "");

            var miners = rack.Options.Miners.Select((m, i) => (object)new { m.Id, m.Address, m.Port, Profile = profile?.Invoke(i) ?? "auto" }).ToList();
            miners.AddRange(extraMiners ?? []);
            var config = new
            {
                Agent = new
                {
                    Site = "chk",
                    RackId = "C-01",
                    PollInterval = "00:00:10",
                    MinerTimeout = "00:00:02",
                    RetryCount = 0,
                    StateDirectory = "state",
                    ProfilesDirectory = RepoPaths.FirmwareProfiles,
                    Log = new { Directory = "" },
                    Miners = miners,
                    MinerCredentials = minerCredentials ?? [],
                    Hardware = new
                    {
                        GpioChip = gpioChip,
                        SysfsRoot = sys,
                        Relays = relays ?? rack.Options.Miners.Select((m, i) => (object)new { Outlet = $"PDU-A/{i + 1}", Miner = m.Id, Line = i }).ToArray(),
                        Fans = fans ?? [new { Name = "front", PwmChip = 0, PwmChannel = 0 }, new { Name = "rear", PwmChip = 0, PwmChannel = 1 }],
                        Sensors = sensors ?? [
                            new { Name = "inlet-1", Position = "inlet", Kind = "ds18b20", Device = "28-0000012345ab" },
                            new { Name = "exhaust-1", Position = "exhaust", Kind = "hwmon", Device = "hwmon1/temp2_input" },
                            new { Name = "exhaust-2", Position = "exhaust", Kind = "hwmon", Device = "nct6775/temp2_input" },
                        ],
                    },
                },
            };
            Directory.CreateDirectory(dir);
            string path = Path.Combine(dir, "agent.json");
            await File.WriteAllTextAsync(path, JsonSerializer.Serialize(config));
            return new RackFiles { ConfigPath = path };
        }
    }

    private static string Lines(CheckReport report) =>
        string.Join(Environment.NewLine, report.Checks.Select(c => $"{(c.Passed ? "ok" : "FAIL")} {c.Area} {c.Subject}: {c.Detail} / {c.Hint}"));

    [Fact]
    public async Task A_good_simulated_rack_passes_every_check_and_exits_zero()
    {
        await using SimulatedRack rack = await SimulatedRack.StartAsync(miners: 3, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(2));
        RackFiles files = await RackFiles.WriteAsync(rack);

        CheckReport report = await RackChecker.RunAsync(files.ConfigPath, CancellationToken.None, SimulatedRelayChips.Factory);

        Assert.True(report.Passed, Lines(report));
        Assert.Equal(3, report.Checks.Count(c => c.Area == "miner" && c.Passed));
        Assert.Contains(report.Checks, c => c.Subject == "inlet-1" && c.Detail.Contains("23.1 °C", StringComparison.Ordinal));
        Assert.Contains(report.Checks, c => c.Subject == "exhaust-1" && c.Detail.Contains("41.5 °C", StringComparison.Ordinal));
        Assert.Contains(report.Checks, c => c.Subject == "exhaust-2" && c.Detail.Contains("41.5 °C", StringComparison.Ordinal));
        Assert.Equal(["front", "rear"], report.Checks.Where(c => c.Area == "fan" && c.Passed).Select(c => c.Subject));
        Assert.Equal("", await File.ReadAllTextAsync(Path.Combine(rack.Options.StateDirectory, "sys", "class", "pwm", "pwmchip0", "export"))); // nothing exported
        Assert.Contains(report.Checks, c => c.Area == "miner" && c.Subject.StartsWith(rack[0].Id, StringComparison.Ordinal) && c.Detail.Contains("TH/s", StringComparison.Ordinal));

        // The console and JSON forms of the same verdict.
        using var output = new StringWriter();
        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings { Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Out = new AnsiConsoleOutput(output) });
        console.Profile.Width = 240;
        Assert.Equal(0, await CheckCommand.ExecuteAsync(files.ConfigPath, json: false, console, TextWriter.Null, CancellationToken.None, SimulatedRelayChips.Factory));
        Assert.Contains("✓ miner", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("checks passed", output.ToString(), StringComparison.Ordinal);

        using var jsonOut = new StringWriter();
        Assert.Equal(0, await CheckCommand.ExecuteAsync(files.ConfigPath, json: true, console, jsonOut, CancellationToken.None, SimulatedRelayChips.Factory));
        using JsonDocument doc = JsonDocument.Parse(jsonOut.ToString());
        Assert.True(doc.RootElement.GetProperty("passed").GetBoolean());
        Assert.True(doc.RootElement.GetProperty("checks").GetArrayLength() >= 7);
    }

    [Fact]
    public async Task A_stock_antminer_on_its_factory_web_password_is_a_warning_with_the_fix_and_the_password_is_never_printed()
    {
        await using SimulatedRack rack = await SimulatedRack.StartAsync(miners: 2, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(2));
        RackFiles files = await RackFiles.WriteAsync(rack, minerCredentials: [new { Miner = "*", Profile = "antminer", Password = "root" }]);

        CheckReport report = await RackChecker.RunAsync(files.ConfigPath, CancellationToken.None, SimulatedRelayChips.Factory);

        Assert.True(report.Passed, Lines(report)); // a warning does not fail the check
        CheckResult login = Assert.Single(report.Checks, c => c.Area == "login" && c.Subject == rack[0].Id);
        // The Braiins OS+ miner's pools go through its gRPC API, which needs a login too: none is configured for it.
        CheckResult bos = Assert.Single(report.Checks, c => c.Area == "ops" && c.Subject == rack[1].Id && c.Detail.Contains("braiins-grpc", StringComparison.Ordinal));
        Assert.True(bos.Warning);
        Assert.Contains("missing-credentials", bos.Detail, StringComparison.Ordinal);
        Assert.True(login.Warning);
        Assert.Contains("vendor's default web password", login.Detail, StringComparison.Ordinal);
        Assert.Contains("Agent:MinerCredentials", login.Hint, StringComparison.Ordinal);

        using var jsonOut = new StringWriter();
        using var output = new StringWriter();
        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings { Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Out = new AnsiConsoleOutput(output) });
        console.Profile.Width = 240;
        Assert.Equal(0, await CheckCommand.ExecuteAsync(files.ConfigPath, json: false, console, TextWriter.Null, CancellationToken.None, SimulatedRelayChips.Factory));
        Assert.Contains("! login", output.ToString(), StringComparison.Ordinal);
        Assert.Equal(0, await CheckCommand.ExecuteAsync(files.ConfigPath, json: true, console, jsonOut, CancellationToken.None, SimulatedRelayChips.Factory));
        Assert.Contains("\"warning\": true", jsonOut.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("\"root\"", jsonOut.ToString(), StringComparison.Ordinal); // user root is named, the password value never
    }

    [Fact]
    public async Task Check_lists_each_miners_operations_and_why_not_in_text_and_json_and_changes_nothing()
    {
        const string wrong = "Not-The-Web-Pw-58";
        await using SimulatedRack rack = await SimulatedRack.StartAsync(miners: 2, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(2));
        RackFiles files = await RackFiles.WriteAsync(rack, minerCredentials: [new { Miner = "*", Profile = "antminer", Password = wrong }]);
        string[] pools = [.. Enumerable.Range(0, 2).SelectMany(i => rack[i].Snapshot().Pools.Select(p => $"{i} {p.Url} {p.User} {p.Priority}"))];

        using var output = new StringWriter();
        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings { Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Out = new AnsiConsoleOutput(output) });
        console.Profile.Width = 400;
        Assert.Equal(0, await CheckCommand.ExecuteAsync(files.ConfigPath, json: false, console, TextWriter.Null, CancellationToken.None, SimulatedRelayChips.Factory));
        string text = output.ToString();
        Assert.Contains($"! ops    {rack[0].Id}: no operation available", text, StringComparison.Ordinal); // this rack serves no stock web interface
        Assert.Contains("setPools, restartMining, reboot, pause, resume, locateOn, locateOff unavailable through bitmain-web (", text, StringComparison.Ordinal);
        Assert.Contains("fix:", text, StringComparison.Ordinal);
        // The Braiins OS+ miner takes every change through its gRPC API, and no login is configured for it here.
        Assert.True(text.Contains($"! ops    {rack[1].Id}: setPools, restartMining, reboot, pause, resume, setPowerTarget, locateOn, locateOff unavailable through braiins-grpc (missing-credentials): ", StringComparison.Ordinal), text);
        Assert.Contains("\"\" is the Braiins OS+ factory password", text, StringComparison.Ordinal);

        using var jsonOut = new StringWriter();
        Assert.Equal(0, await CheckCommand.ExecuteAsync(files.ConfigPath, json: true, console, jsonOut, CancellationToken.None, SimulatedRelayChips.Factory));
        using JsonDocument doc = JsonDocument.Parse(jsonOut.ToString());
        JsonElement miners = doc.RootElement.GetProperty("miners");
        Assert.Equal(2, miners.GetArrayLength());
        JsonElement stockPools = miners.EnumerateArray().Single(m => m.GetProperty("minerId").GetString() == rack[0].Id).GetProperty("operations").EnumerateArray().Single(o => o.GetProperty("operation").GetString() == "setPools");
        Assert.False(stockPools.GetProperty("available").GetBoolean());
        Assert.Contains(stockPools.GetProperty("reason").GetString(), CapabilityReasons.All);
        Assert.DoesNotContain(wrong, text + jsonOut, StringComparison.Ordinal);
        Assert.Equal(pools, Enumerable.Range(0, 2).SelectMany(i => rack[i].Snapshot().Pools.Select(p => $"{i} {p.Url} {p.User} {p.Priority}")).ToArray()); // probes only: the refused 'privileged' changed nothing
        Assert.Equal(0, rack[0].WebWritesReceived);
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task Logins_from_a_secrets_file_are_used_and_a_file_readable_by_others_is_a_warning()
    {
        await using SimulatedRack rack = await SimulatedRack.StartAsync(miners: 1, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(2));
        RackFiles files = await RackFiles.WriteAsync(rack);
        string secrets = Path.Combine(Path.GetDirectoryName(files.ConfigPath)!, "secrets.json");
        await File.WriteAllTextAsync(secrets, "{\"Agent\":{\"MinerCredentials\":[{\"Miner\":\"*\",\"Password\":\"Changed-Web-Pw-5\"}]}}");
        File.SetUnixFileMode(secrets, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        CheckReport open = await RackChecker.RunAsync(files.ConfigPath, CancellationToken.None, SimulatedRelayChips.Factory);

        Assert.True(Assert.Single(open.Checks, c => c.Subject == secrets).Warning, Lines(open));
        CheckResult login = Assert.Single(open.Checks, c => c.Area == "login");
        Assert.False(login.Warning, login.Detail); // the login came from the secrets file and is not the factory one
        Assert.DoesNotContain("Changed-Web-Pw-5", Lines(open), StringComparison.Ordinal);

        File.SetUnixFileMode(secrets, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        CheckReport closed = await RackChecker.RunAsync(files.ConfigPath, CancellationToken.None, SimulatedRelayChips.Factory);
        Assert.False(Assert.Single(closed.Checks, c => c.Subject == secrets).Warning);
    }

    [Fact]
    public async Task An_unreachable_miner_fails_its_own_line_with_a_hint_and_the_command_exits_one()
    {
        await using SimulatedRack rack = await SimulatedRack.StartAsync(miners: 2, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(2));
        rack[1].SetPower(false);
        RackFiles files = await RackFiles.WriteAsync(rack);

        CheckReport report = await RackChecker.RunAsync(files.ConfigPath, CancellationToken.None, SimulatedRelayChips.Factory);

        Assert.False(report.Passed);
        CheckResult failed = Assert.Single(report.Checks, c => !c.Passed);
        Assert.Equal("miner", failed.Area);
        Assert.StartsWith(rack[1].Id, failed.Subject, StringComparison.Ordinal);
        Assert.Contains("powered", failed.Hint, StringComparison.Ordinal);
        Assert.Contains(report.Checks, c => c.Passed && c.Subject.StartsWith(rack[0].Id, StringComparison.Ordinal));

        using var output = new StringWriter();
        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings { Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Out = new AnsiConsoleOutput(output) });
        console.Profile.Width = 300;
        Assert.Equal(CheckCommand.FailedExitCode, await CheckCommand.ExecuteAsync(files.ConfigPath, json: false, console, TextWriter.Null, CancellationToken.None, SimulatedRelayChips.Factory));
        Assert.Contains($"✗ miner  {rack[1].Id}", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("fix:", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_miner_running_another_firmware_than_configured_is_named_with_the_detected_profile()
    {
        await using SimulatedRack rack = await SimulatedRack.StartAsync(miners: 1, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(2));
        RackFiles files = await RackFiles.WriteAsync(rack, profile: _ => "whatsminer");

        CheckReport report = await RackChecker.RunAsync(files.ConfigPath, CancellationToken.None, SimulatedRelayChips.Factory);

        CheckResult failed = Assert.Single(report.Checks, c => !c.Passed);
        Assert.Contains("but the config says 'whatsminer'", failed.Detail, StringComparison.Ordinal);
        Assert.Contains("antminer", failed.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_sensor_fails_its_line_and_the_others_still_read()
    {
        await using SimulatedRack rack = await SimulatedRack.StartAsync(miners: 1, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(2));
        RackFiles files = await RackFiles.WriteAsync(rack, sensors: [
            new { Name = "inlet-1", Position = "inlet", Kind = "ds18b20", Device = "28-0000012345ab" },
            new { Name = "inlet-2", Position = "inlet", Kind = "ds18b20", Device = "28-00000badbad0" },
        ]);

        CheckReport report = await RackChecker.RunAsync(files.ConfigPath, CancellationToken.None, SimulatedRelayChips.Factory);

        Assert.Contains(report.Checks, c => !c.Passed && c.Area == "config" && (c.Subject + c.Detail).Contains("Sensors:1", StringComparison.Ordinal));
        CheckResult failed = Assert.Single(report.Checks, c => !c.Passed && c.Area != "config");
        Assert.Equal(("sensor", "inlet-2"), (failed.Area, failed.Subject));
        Assert.Contains("28-00000badbad0", failed.Detail, StringComparison.Ordinal);
        Assert.Contains("100 %", failed.Hint, StringComparison.Ordinal);
        Assert.Contains(report.Checks, c => c.Passed && c.Subject == "inlet-1");
    }

    [Fact]
    public async Task A_fan_channel_the_chip_does_not_have_fails_with_the_channels_it_has()
    {
        await using SimulatedRack rack = await SimulatedRack.StartAsync(miners: 1, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(2));
        RackFiles files = await RackFiles.WriteAsync(rack, fans: [new { Name = "front", PwmChip = 0, PwmChannel = 3 }, new { Name = "top", PwmChip = 4, PwmChannel = 0 }]);

        CheckReport report = await RackChecker.RunAsync(files.ConfigPath, CancellationToken.None, SimulatedRelayChips.Factory);

        // The agent's own start-up validation refuses this map too, so `check` lists it under config as well.
        Assert.Contains(report.Checks, c => !c.Passed && c.Area == "config" && (c.Subject + c.Detail).Contains("Fans:1", StringComparison.Ordinal));
        List<CheckResult> failed = [.. report.Checks.Where(c => !c.Passed && c.Area != "config")];
        Assert.Equal(["front", "top"], failed.Select(c => c.Subject));
        Assert.Contains("has channels 0..1", failed[0].Detail, StringComparison.Ordinal);
        Assert.Contains("pwmchip4 does not exist", failed[1].Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_duplicate_relay_line_and_a_miner_without_an_outlet_are_reported_without_touching_the_chip()
    {
        await using SimulatedRack rack = await SimulatedRack.StartAsync(miners: 3, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(2));
        RackFiles files = await RackFiles.WriteAsync(rack, relays: [
            new { Outlet = "PDU-A/1", Miner = rack[0].Id, Line = 5 },
            new { Outlet = "PDU-A/2", Miner = rack[1].Id, Line = 5 },
        ]);

        CheckReport report = await RackChecker.RunAsync(files.ConfigPath, CancellationToken.None, SimulatedRelayChips.Factory);

        Assert.False(report.Passed);
        Assert.Contains(report.Checks, c => !c.Passed && c.Area == "config" && (c.Subject + c.Detail).Contains("Relays:1", StringComparison.Ordinal));
        List<CheckResult> failed = [.. report.Checks.Where(c => !c.Passed && c.Area != "config")];
        Assert.Equal(2, failed.Count);
        Assert.Equal(("relay", "PDU-A/2"), (failed[0].Area, failed[0].Subject));
        Assert.Contains("Agent:Hardware:Relays:1:Line: line 5 is already used by Agent:Hardware:Relays:0 (PDU-A/1)", failed[0].Detail, StringComparison.Ordinal);
        Assert.Equal(("relay", rack[2].Id), (failed[1].Area, failed[1].Subject));
        Assert.Contains("has no relay", failed[1].Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_relay_chip_that_does_not_exist_or_is_no_gpio_chip_fails_the_chip_line()
    {
        await using SimulatedRack rack = await SimulatedRack.StartAsync(miners: 1, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(2));
        string missing = Path.Combine(rack.Options.StateDirectory, "gpiochip9");
        RackFiles files = await RackFiles.WriteAsync(rack, gpioChip: missing);

        CheckReport report = await RackChecker.RunAsync(files.ConfigPath, CancellationToken.None, SimulatedRelayChips.Factory);
        CheckResult failed = Assert.Single(report.Checks, c => !c.Passed);
        Assert.Equal(missing, failed.Subject);
        Assert.Contains("does not exist", failed.Detail, StringComparison.Ordinal);

        // A file that opens but is not /dev/gpiochipN: the libgpiod drivers open chips by number, so it is refused.
        await File.WriteAllTextAsync(missing, "not a chip");
        report = await RackChecker.RunAsync(files.ConfigPath, CancellationToken.None, SimulatedRelayChips.Factory);
        failed = Assert.Single(report.Checks, c => !c.Passed);
        Assert.Contains("is not a GPIO chip device", failed.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_invalid_config_lists_every_error_by_key()
    {
        string dir = Directory.CreateTempSubdirectory("farm-check-").FullName;
        try
        {
            string path = Path.Combine(dir, "agent.json");
            await File.WriteAllTextAsync(path, $$"""
                { "Agent": { "PollInterval": "00:00:00.1", "ProfilesDirectory": {{JsonSerializer.Serialize(RepoPaths.FirmwareProfiles)}},
                  "Miners": [ { "Id": "a", "Address": "10.0.0.300" }, { "Id": "b", "Address": "10.0.0.2", "Profile": "nosuch" } ] } }
                """);

            CheckReport report = await RackChecker.RunAsync(path, CancellationToken.None, SimulatedRelayChips.Factory);

            Assert.False(report.Passed);
            string[] subjects = [.. report.Checks.Where(c => !c.Passed).Select(c => c.Subject)];
            Assert.Contains("Agent:RackId", subjects);
            Assert.Contains("Agent:PollInterval", subjects);
            Assert.Contains("Agent:Miners:0:Address", subjects);
            Assert.Contains("Agent:Miners:1:Profile", subjects);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
