using System.Text.Json;
using CloudMining.Farm.Agent.Cli;
using CloudMining.Farm.Agent.Hosting;
using CloudMining.Farm.Tests.Agent.Polling;
using CloudMining.Farm.Tests.Infrastructure;
using Xunit;

namespace CloudMining.Farm.Tests.Agent.Thermal;

/// <summary>`farm-agent run` with fans and a sensor in its config file: the thermal service is wired in, validated, and stops safe.</summary>
public sealed class ThermalAgentRunTests
{
    private const string Probe = "28-0000000000c7";

    private static async Task<string> WriteConfigAsync(SimulatedRack rack, FakeThermalSysfs sys, int pwmChip)
    {
        string dir = rack.Options.StateDirectory;
        Directory.CreateDirectory(dir);
        string path = Path.Combine(dir, "agent.json");
        var config = new
        {
            Agent = new
            {
                Site = "e2e",
                RackId = "E-02",
                PollInterval = "00:00:02",
                MinerTimeout = "00:00:01",
                RetryCount = 0,
                StateDirectory = "state",
                ProfilesDirectory = RepoPaths.FirmwareProfiles,
                Log = new { Directory = "", Level = "Debug" },
                Hardware = new
                {
                    SysfsRoot = sys.Root,
                    Fans = new[] { new { Name = "front", PwmChip = pwmChip, PwmChannel = 0, MinDutyPercent = 25 } },
                    Sensors = new[] { new { Name = "exhaust", Position = "exhaust", Kind = "ds18b20", Device = Probe } },
                },
                Thermal = new
                {
                    ControlInterval = "00:00:01",
                    // Keep the simulated chips (about 65 °C) out of the decision: the exhaust alone sets the duty.
                    ChipCurve = new[] { new { TemperatureCelsius = 100, DutyPercent = 0 }, new { TemperatureCelsius = 110, DutyPercent = 100 } },
                },
                Miners = rack.Options.Miners.Select(m => new { m.Id, m.Address, m.Port }).ToArray(),
            },
        };
        await File.WriteAllTextAsync(path, JsonSerializer.Serialize(config));
        return path;
    }

    [Fact]
    public async Task Agent_drives_the_fans_from_its_config_and_leaves_them_at_full_speed_when_stopped()
    {
        await using SimulatedRack rack = await SimulatedRack.StartAsync(miners: 1, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1));
        using var sys = new FakeThermalSysfs();
        sys.AddPwmChannel(0, 0);
        sys.SetDs18b20(Probe, 45);
        string configPath = await WriteConfigAsync(rack, sys, pwmChip: 0);

        var logs = new InMemoryLoggerProvider();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var error = new StringWriter();
        Task<int> run = RunCommand.RunAsync(configPath, error, stop.Token, new AgentHost.Overrides { ConsoleLog = false, ExtraLogger = logs });

        Assert.True(
            await Eventually.TrueAsync(() => run.IsCompleted || (sys.Enabled(0, 0) && sys.DutyPercent(0, 0) == 45), TimeSpan.FromSeconds(30)),
            $"fan at 45 % for an exhaust of 45 °C; got {sys.DutyPercent(0, 0)} %, agent said: {error}");
        Assert.False(run.IsCompleted, "agent exited early: " + error);

        sys.SetDs18b20(Probe, 50);
        Assert.True(await Eventually.TrueAsync(() => sys.DutyPercent(0, 0) == 60, TimeSpan.FromSeconds(30)), $"fan at 60 % for 50 °C; got {sys.DutyPercent(0, 0)} %");

        await stop.CancelAsync();
        Assert.Equal(0, await run);
        Assert.Equal(100, sys.DutyPercent(0, 0));
        Assert.True(sys.Enabled(0, 0));
        Assert.Contains(logs.Records, r => r.Property("FanGroup") == "front" && r.Property("Duty") == "60");
    }

    [Fact]
    public async Task Fan_on_a_missing_pwm_chip_stops_the_agent_naming_the_entry()
    {
        await using SimulatedRack rack = await SimulatedRack.StartAsync(miners: 1, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1));
        using var sys = new FakeThermalSysfs();
        sys.AddPwmChannel(0, 0);
        sys.SetDs18b20(Probe, 45);
        string configPath = await WriteConfigAsync(rack, sys, pwmChip: 3);

        using var error = new StringWriter();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        int code = await RunCommand.RunAsync(configPath, error, stop.Token, new AgentHost.Overrides { ConsoleLog = false, ExtraLogger = new InMemoryLoggerProvider() });

        Assert.Equal(RunCommand.ConfigErrorExitCode, code);
        Assert.Contains("Agent:Hardware:Fans:0 (\"front\"):PwmChip: ", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("pwmchip3 does not exist", error.ToString(), StringComparison.Ordinal);
    }
}
