using System.Globalization;
using CloudMining.Farm.Agent.Power;

namespace CloudMining.Farm.Agent.Configuration;

/// <summary>
/// Checks the relay part of the hardware map (Agent:Hardware:GpioChip and :Relays) and the relay and watchdog timing
/// (Agent:Power, Agent:Watchdog). A wrong map power-cycles the wrong miner, so every entry is checked against the
/// others and against Agent:Miners, and each problem names the entry it is in and the entry it clashes with.
/// </summary>
public static class HardwareMapValidator
{
    private const string S = AgentOptions.SectionName;
    private const string H = S + ":Hardware";

    /// <summary>Every problem, one sentence each; <paramref name="relayChips"/> are the chips this build can open (null: farm-agent's).</summary>
    public static List<string> Check(AgentOptions options, RelayDriverFactory? relayChips = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        CheckRelays(options, relayChips ?? RelayDriverFactory.Product, errors);
        CheckPower(options.Power, errors);
        CheckWatchdog(options, errors);
        return errors;
    }

    private static void CheckRelays(AgentOptions options, RelayDriverFactory relayChips, List<string> errors)
    {
        IList<RelayOptions> relays = options.Hardware.Relays;
        string chip = options.Hardware.GpioChip?.Trim() ?? string.Empty;
        if (relays.Count == 0)
        {
            // No relay to switch, so the chip is never opened; a value this build cannot open (a simulated chip given
            // to farm-agent) is still named at start rather than surprising whoever adds the first relay.
            if (chip.Length > 0 && relayChips.Problem(chip) is { } unused)
            {
                errors.Add(unused);
            }

            return;
        }

        if (chip.Length == 0)
        {
            errors.Add($"{H}:GpioChip: is empty but {H}:Relays lists {relays.Count} relay(s); write the relay board's chip, e.g. \"/dev/gpiochip0\" (see `gpiodetect`).");
        }
        else if (relayChips.Problem(chip) is { } problem)
        {
            errors.Add(problem);
        }

        var minerIds = new HashSet<string>(options.Miners.Where(m => m is not null).Select(m => m.Id), StringComparer.OrdinalIgnoreCase);
        var outlets = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        var lines = new Dictionary<int, int>();
        var fedMiners = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (int i = 0; i < relays.Count; i++)
        {
            RelayOptions r = relays[i];
            string key = $"{H}:Relays:{i}";
            if (r is null)
            {
                errors.Add($"{key}: is empty; write {{ \"Outlet\": \"PDU-A/1\", \"Miner\": ..., \"Line\": ... }} or remove the entry.");
                continue;
            }

            if (string.IsNullOrWhiteSpace(r.Outlet))
            {
                errors.Add($"{key}:Outlet: is missing; write the outlet's label on the PDU, e.g. \"PDU-A/{i + 1}\".");
            }
            else if (outlets.TryGetValue(r.Outlet.Trim(), out int other))
            {
                errors.Add($"{key}:Outlet: '{r.Outlet}' is also used by Relays:{other} ({Describe(relays[other])}); every outlet appears once — check the PDU labels.");
            }
            else
            {
                outlets[r.Outlet.Trim()] = i;
            }

            if (string.IsNullOrWhiteSpace(r.Miner))
            {
                errors.Add($"{key}:Miner: is missing; write the id (Agent:Miners:n:Id) of the miner this outlet feeds.");
            }
            else if (!minerIds.Contains(r.Miner))
            {
                string known = string.Join(", ", minerIds.Order(StringComparer.OrdinalIgnoreCase).Take(10));
                errors.Add($"{key}:Miner: '{r.Miner}' is not a miner id in {S}:Miners; write one of {(known.Length == 0 ? "(none listed)" : known)}{(minerIds.Count > 10 ? ", …" : string.Empty)}, or add the miner.");
            }
            else if (fedMiners.TryGetValue(r.Miner, out int other))
            {
                errors.Add($"{key}:Miner: '{r.Miner}' is already fed by Relays:{other} ({Describe(relays[other])}); a miner has one relay — a power-cycle through only one of two feeds would not cut it.");
            }
            else
            {
                fedMiners[r.Miner] = i;
            }

            if (r.Line < 0)
            {
                errors.Add($"{key}:Line: {r.Line.ToString(CultureInfo.InvariantCulture)} is {(r.Line == -1 ? "missing" : "negative")}; write the GPIO line offset the relay's input is wired to (0, 1, 2 …, as `gpioinfo` numbers them).");
            }
            else if (lines.TryGetValue(r.Line, out int other))
            {
                errors.Add($"{key}:Line: {r.Line.ToString(CultureInfo.InvariantCulture)} is also used by Relays:{other} ({Describe(relays[other])}); each relay has its own line — check the wiring.");
            }
            else
            {
                lines[r.Line] = i;
            }
        }
    }

    private static void CheckPower(PowerOptions power, List<string> errors)
    {
        if (power.MinOffTime < TimeSpan.Zero || power.MinOffTime > TimeSpan.FromMinutes(10))
        {
            errors.Add($"{S}:Power:MinOffTime: '{power.MinOffTime}' is outside 00:00:00 to 00:10:00; write e.g. \"00:00:10\".");
        }

        if (power.PowerUpGap < TimeSpan.Zero || power.PowerUpGap > TimeSpan.FromMinutes(5))
        {
            errors.Add($"{S}:Power:PowerUpGap: '{power.PowerUpGap}' is outside 00:00:00 to 00:05:00; write e.g. \"00:00:05\".");
        }

        if (power.MaxConcurrentCycles is < 1 or > 100)
        {
            errors.Add($"{S}:Power:MaxConcurrentCycles: {power.MaxConcurrentCycles} is outside 1 to 100; write how many miners may be power-cycled at once, e.g. 2.");
        }
    }

    private static void CheckWatchdog(AgentOptions options, List<string> errors)
    {
        WatchdogOptions w = options.Watchdog;
        string k = S + ":Watchdog";
        if (w.HashingBelowPercent is < 0 or > 100)
        {
            errors.Add($"{k}:HashingBelowPercent: {w.HashingBelowPercent.ToString(CultureInfo.InvariantCulture)} is outside 0 to 100; write e.g. 50.");
        }

        if (w.Window <= options.PollInterval)
        {
            errors.Add($"{k}:Window: '{w.Window}' is not longer than {S}:PollInterval '{options.PollInterval}'; a step needs several polls to decide, write e.g. \"00:03:00\".");
        }

        if (w.MaxPowerCycles is < 1 or > 100)
        {
            errors.Add($"{k}:MaxPowerCycles: {w.MaxPowerCycles} is outside 1 to 100; write e.g. 3.");
        }

        if (w.CycleWindow < w.Window)
        {
            errors.Add($"{k}:CycleWindow: '{w.CycleWindow}' is shorter than {k}:Window '{w.Window}'; write e.g. \"06:00:00\".");
        }

        if (w.MaxActionsPerMinute is < 1 or > 1000)
        {
            errors.Add($"{k}:MaxActionsPerMinute: {w.MaxActionsPerMinute} is outside 1 to 1000; write e.g. 4.");
        }

        if (w.NetworkHoldMinMiners < 2)
        {
            errors.Add($"{k}:NetworkHoldMinMiners: {w.NetworkHoldMinMiners} is below 2; write e.g. 3.");
        }
    }

    private static string Describe(RelayOptions r) => string.IsNullOrWhiteSpace(r.Outlet) ? $"line {r.Line}" : r.Outlet;
}
