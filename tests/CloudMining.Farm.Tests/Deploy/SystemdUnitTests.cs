using System.Diagnostics;
using CloudMining.Farm.Tests.Infrastructure;
using Xunit;

namespace CloudMining.Farm.Tests.Deploy;

public sealed class SystemdUnitTests
{
    private static string UnitPath(string name) => Path.Combine(RepoPaths.Root, "deploy", "systemd", name + ".service");

    [Theory]
    [InlineData("farm-agent")]
    [InlineData("farm-controller")]
    public void Both_units_are_notify_services_under_their_own_user_with_the_hardening_keys(string name)
    {
        SystemdUnitFile unit = SystemdUnitFile.Load(UnitPath(name));

        Assert.Equal("notify", unit["Service.Type"]);
        Assert.Equal("main", unit["Service.NotifyAccess"]);
        Assert.Equal(name, unit["Service.User"]);
        Assert.Equal(name, unit["Service.Group"]);
        Assert.Equal(name, unit["Service.StateDirectory"]);
        Assert.Equal(name, unit["Service.ConfigurationDirectory"]);
        Assert.Equal("on-failure", unit["Service.Restart"]);
        Assert.NotNull(unit["Service.RestartSec"]);
        Assert.StartsWith($"/opt/cloudmining-farm/", unit["Service.ExecStart"], StringComparison.Ordinal);
        Assert.Contains($" run --config /etc/{name}/", unit["Service.ExecStart"], StringComparison.Ordinal);

        Assert.Equal("strict", unit["Service.ProtectSystem"]);
        foreach (string key in new[] { "ProtectHome", "PrivateTmp", "NoNewPrivileges", "ProtectKernelTunables", "ProtectKernelModules", "ProtectControlGroups", "RestrictNamespaces", "RestrictSUIDSGID", "LockPersonality" })
        {
            Assert.True(unit["Service." + key] == "yes", $"{name}: {key}=yes");
        }

        Assert.Equal("AF_INET AF_INET6 AF_UNIX", unit["Service.RestrictAddressFamilies"]);
        Assert.Equal("", unit["Service.CapabilityBoundingSet"]);
        Assert.Equal("closed", unit["Service.DevicePolicy"]);

        // The JIT needs writable-then-executable memory; turning this on kills the runtime at start.
        Assert.Equal("no", unit["Service.MemoryDenyWriteExecute"]);
        Assert.Equal("multi-user.target", unit["Install.WantedBy"]);
    }

    [Fact]
    public void The_agent_unit_has_the_watchdog_the_gpio_group_and_only_the_gpio_devices()
    {
        SystemdUnitFile unit = SystemdUnitFile.Load(UnitPath("farm-agent"));

        Assert.Equal("60", unit["Service.WatchdogSec"]);
        Assert.Equal("gpio", unit["Service.SupplementaryGroups"]);
        Assert.Equal("farm-agent", unit["Service.LogsDirectory"]);
        Assert.Equal(["char-gpiochip rw"], unit.All("Service.DeviceAllow"));
        Assert.Equal("no", unit["Service.PrivateDevices"]);
        Assert.Equal("no", unit["Service.PrivateUsers"]);

        // A config error (exit 78) is not something a restart can fix.
        Assert.Equal("78", unit["Service.RestartPreventExitStatus"]);
    }

    [Fact]
    public void The_controller_unit_sets_no_watchdog_it_could_not_feed()
    {
        SystemdUnitFile unit = SystemdUnitFile.Load(UnitPath("farm-controller"));
        Assert.Null(unit["Service.WatchdogSec"]);
        Assert.Equal("yes", unit["Service.PrivateDevices"]);

        // farm-controller exits 78 (EX_CONFIG) for a config a restart cannot fix; operators reach api-token by name.
        Assert.Equal("78", unit["Service.RestartPreventExitStatus"]);
        Assert.Equal("0751", unit["Service.StateDirectoryMode"]);
    }

    [Theory]
    [InlineData("farm-agent")]
    [InlineData("farm-controller")]
    public async Task Systemd_analyze_verify_accepts_the_unit_without_a_warning(string name)
    {
        if (!File.Exists("/usr/bin/systemd-analyze"))
        {
            Console.WriteLine($"SKIPPED check: systemd-analyze is not installed; {name}.service was only parsed.");
            return;
        }

        // verify insists that ExecStart's program exists: point it at a stand-in executable in a temp folder.
        string dir = Directory.CreateTempSubdirectory("farm-unit-").FullName;
        try
        {
            string program = Path.Combine(dir, name);
            File.Copy("/bin/true", program);
            string text = (await File.ReadAllTextAsync(UnitPath(name))).Replace($"/opt/cloudmining-farm/{(name == "farm-agent" ? "agent" : "controller")}/{name}", program, StringComparison.Ordinal);
            Assert.Contains(program, text, StringComparison.Ordinal);
            string unit = Path.Combine(dir, name + ".service");
            await File.WriteAllTextAsync(unit, text);

            var psi = new ProcessStartInfo("/usr/bin/systemd-analyze", ["verify", unit]) { RedirectStandardError = true, RedirectStandardOutput = true };
            using Process p = Process.Start(psi)!;
            string stderr = await p.StandardError.ReadToEndAsync();
            string stdout = await p.StandardOutput.ReadToEndAsync();
            await p.WaitForExitAsync();

            // verify exits 0 even for unknown keys and bad values; it only warns on stderr. Any warning fails the test.
            Assert.True(p.ExitCode == 0 && stderr.Trim().Length == 0, $"exit {p.ExitCode}: {stderr}{stdout}");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
