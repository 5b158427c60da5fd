using System.Globalization;
using System.Text.RegularExpressions;
using CloudMining.Farm.Agent.Configuration;
using CloudMining.Farm.Agent.Power;
using CloudMining.Farm.Agent.Thermal;
using CloudMining.Farm.Gpio;
using CloudMining.Farm.Gpio.Sensors;
using CloudMining.Farm.Shared.Units;

namespace CloudMining.Farm.Agent.Checks;

/// <summary>The hardware checks: sensors read once, the relay map cross-checked, the GPIO chip opened — no line is requested or driven.</summary>
public static partial class RackChecker
{
    private const string H = AgentOptions.SectionName + ":Hardware";

    private static async Task<IReadOnlyList<CheckResult>> CheckSensorsAsync(HardwareOptions hardware, CancellationToken cancellationToken)
    {
        var results = new List<CheckResult>();
        for (int i = 0; i < hardware.Sensors.Count; i++)
        {
            SensorOptions s = hardware.Sensors[i];
            string subject = string.IsNullOrWhiteSpace(s.Name) ? $"{H}:Sensors:{i}" : s.Name;
            try
            {
                Temperature t = await ReadSensorAsync(hardware.SysfsRoot, s, $"{H}:Sensors:{i}", cancellationToken);
                results.Add(CheckResult.Pass("sensor", subject, $"{s.Kind} {s.Device}{(s.Position.Length > 0 ? " at the " + s.Position : "")}: {t.Celsius.ToString("F1", CultureInfo.InvariantCulture)} °C"));
            }
            catch (SensorReadException e)
            {
                results.Add(CheckResult.Fail("sensor", subject, $"{s.Kind} {s.Device}: {e.Message}", $"fix the probe or {H}:Sensors:{i}:Device; a missing sensor drives the fans to 100 %"));
            }
            catch (ArgumentException e)
            {
                results.Add(CheckResult.Fail("sensor", subject, e.Message));
            }
        }

        return results;
    }

    private static Task<Temperature> ReadSensorAsync(string sysfsRoot, SensorOptions sensor, string key, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(sensor.Device))
        {
            throw new ArgumentException($"{key}:Device: is empty; write the DS18B20 id (\"28-0000012345ab\") or the hwmon input (\"hwmon1/temp2_input\").");
        }

        // The same reading path as the thermal loop, so `check` passes exactly when the fans would get this sensor.
        RackSensor rackSensor;
        try
        {
            rackSensor = RackSensor.Create(sensor, new SysfsLayout(sysfsRoot));
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"{key}: {e.Message} Write kind \"ds18b20\" with the probe id, or \"hwmon\" with \"hwmonN/tempM_input\" or \"CHIPNAME/tempM_input\" (see /sys/class/hwmon/*/name); position inlet or exhaust.", e);
        }

        return rackSensor.ReadAsync(cancellationToken);
    }

    private static List<CheckResult> CheckRelays(AgentOptions options, RelayDriverFactory relayChips)
    {
        HardwareOptions hw = options.Hardware;
        var results = new List<CheckResult>();
        if (hw.Relays.Count == 0)
        {
            results.Add(CheckResult.Pass("relay", $"{H}:Relays", "no relays configured: the agent will not switch any outlet (the watchdog stops at an API restart)"));
            return results;
        }

        var minerIds = new HashSet<string>(options.Miners.Where(m => m is not null).Select(m => m.Id), StringComparer.OrdinalIgnoreCase);
        var lines = new Dictionary<int, int>();
        var outlets = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        var fed = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        int before = results.Count;
        for (int i = 0; i < hw.Relays.Count; i++)
        {
            RelayOptions r = hw.Relays[i];
            string key = $"{H}:Relays:{i}";
            string subject = string.IsNullOrWhiteSpace(r.Outlet) ? key : r.Outlet;
            if (string.IsNullOrWhiteSpace(r.Outlet))
            {
                results.Add(CheckResult.Fail("relay", subject, $"{key}:Outlet: is empty", "write the PDU outlet's label, e.g. \"PDU-A/7\""));
            }
            else if (outlets.TryGetValue(r.Outlet, out int o))
            {
                results.Add(CheckResult.Fail("relay", subject, $"{key}:Outlet: '{r.Outlet}' is already used by {H}:Relays:{o}", "give every outlet its own label"));
            }
            else
            {
                outlets[r.Outlet] = i;
            }

            if (r.Line < 0)
            {
                results.Add(CheckResult.Fail("relay", subject, $"{key}:Line: {r.Line} is not a GPIO line", "write the line offset the relay board is wired to (gpioinfo lists them)"));
            }
            else if (lines.TryGetValue(r.Line, out int other))
            {
                results.Add(CheckResult.Fail(
                    "relay", subject,
                    $"{key}:Line: line {r.Line} is already used by {H}:Relays:{other} ({hw.Relays[other].Outlet}); one line would switch two outlets",
                    "check the wiring and give each outlet its own line"));
            }
            else
            {
                lines[r.Line] = i;
            }

            if (string.IsNullOrWhiteSpace(r.Miner) || !minerIds.Contains(r.Miner))
            {
                results.Add(CheckResult.Fail("relay", subject, $"{key}:Miner: '{r.Miner}' is not a miner of {AgentOptions.SectionName}:Miners", "write the Id of the miner this outlet feeds"));
            }
            else if (fed.TryGetValue(r.Miner, out int f))
            {
                results.Add(CheckResult.Fail("relay", subject, $"{key}:Miner: '{r.Miner}' is already fed by {H}:Relays:{f} ({hw.Relays[f].Outlet})", "each miner is on one outlet; fix the Miner of one of them"));
            }
            else
            {
                fed[r.Miner] = i;
            }
        }

        foreach (MinerOptions m in options.Miners.Where(m => m is not null && !string.IsNullOrWhiteSpace(m.Id) && !fed.ContainsKey(m.Id)))
        {
            results.Add(CheckResult.Fail("relay", m.Id, $"miner {m.Id} has no relay: the watchdog cannot power-cycle it", $"add {{ \"Outlet\": ..., \"Miner\": \"{m.Id}\", \"Line\": ... }} to {H}:Relays"));
        }

        if (results.Count == before)
        {
            results.Add(CheckResult.Pass("relay", $"{H}:Relays", $"{hw.Relays.Count} outlets, one line and one miner each, every miner has an outlet"));
        }

        results.Add(relayChips.Check(hw.GpioChip ?? string.Empty, lines.Keys));
        return results;
    }
}
