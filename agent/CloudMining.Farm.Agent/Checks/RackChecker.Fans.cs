using System.Globalization;
using CloudMining.Farm.Agent.Configuration;
using CloudMining.Farm.Agent.Thermal;

namespace CloudMining.Farm.Agent.Checks;

/// <summary>The fan checks: each group's PWM chip exists, has the channel, and its export file may be written — nothing is exported or driven.</summary>
public static partial class RackChecker
{
    private static List<CheckResult> CheckFans(HardwareOptions hw)
    {
        var results = new List<CheckResult>();
        var used = new Dictionary<(int Chip, int Channel), int>();
        for (int i = 0; i < hw.Fans.Count; i++)
        {
            FanGroupOptions f = hw.Fans[i];
            string key = $"{H}:Fans:{i}";
            string subject = string.IsNullOrWhiteSpace(f.Name) ? key : f.Name;
            if (used.TryGetValue((f.PwmChip, f.PwmChannel), out int other))
            {
                results.Add(CheckResult.Fail("fan", subject, $"{key}: pwmchip{f.PwmChip} channel {f.PwmChannel} is already driven by {H}:Fans:{other} ({hw.Fans[other].Name})", "give each fan group its own PWM channel"));
                continue;
            }

            used[(f.PwmChip, f.PwmChannel)] = i;
            string chipDir = Path.Combine(SysfsLayout.From(hw).PwmRoot, "pwmchip" + f.PwmChip.ToString(CultureInfo.InvariantCulture));
            if (!Directory.Exists(chipDir))
            {
                results.Add(CheckResult.Fail("fan", subject, $"{chipDir} does not exist", "enable the PWM overlay (e.g. dtoverlay=pwm-2chan) and check `ls /sys/class/pwm`, or fix PwmChip"));
                continue;
            }

            string npwmPath = Path.Combine(chipDir, "npwm");
            int npwm;
            try
            {
                if (!int.TryParse(File.ReadAllText(npwmPath).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out npwm))
                {
                    results.Add(CheckResult.Fail("fan", subject, $"{npwmPath} does not hold a channel count"));
                    continue;
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                results.Add(CheckResult.Fail("fan", subject, $"cannot read {npwmPath}: {e.Message}"));
                continue;
            }

            if (f.PwmChannel < 0 || f.PwmChannel >= npwm)
            {
                results.Add(CheckResult.Fail("fan", subject, $"{key}:PwmChannel: {f.PwmChannel} does not exist; pwmchip{f.PwmChip} has channels 0..{npwm - 1}", "fix PwmChannel to the channel the fans are wired to"));
                continue;
            }

            // Opening for write (without writing) proves the agent may export the channel later.
            string export = Path.Combine(chipDir, "export");
            try
            {
                using (File.OpenHandle(export, FileMode.Open, FileAccess.Write))
                {
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                results.Add(CheckResult.Fail("fan", subject, $"{export} is not writable for this user ({e.Message})", "give the gpio group write access to the PWM chip (udev rule) and add its real folder to ReadWritePaths (see deploy/systemd/farm-agent.service)"));
                continue;
            }

            results.Add(CheckResult.Pass("fan", subject, $"pwmchip{f.PwmChip} channel {f.PwmChannel} of {npwm}, export writable"));
        }

        return results;
    }
}
