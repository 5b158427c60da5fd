using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using CloudMining.Farm.Agent.Power;
using CloudMining.Farm.Shared.Units;
using Microsoft.Extensions.Options;

namespace CloudMining.Farm.Agent.Configuration;

/// <summary>Checks agent.json before the agent starts: every failure names the exact key, what is wrong and how to fix it.</summary>
/// <remarks>The relay chips this build can open come from the container (<see cref="RelayDriverFactory"/>): farm-agent's, or farm-sim agent's with the simulated ones.</remarks>
public sealed partial class AgentOptionsValidator(RelayDriverFactory relayChips) : IValidateOptions<AgentOptions>
{
    private const string S = AgentOptions.SectionName;

    public ValidateOptionsResult Validate(string? name, AgentOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        List<string> errors = Check(options, relayChips);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    /// <summary>All problems in the options, one sentence each, in the order of the file.</summary>
    public static List<string> Check(AgentOptions options, RelayDriverFactory? relayChips = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();

        if (string.IsNullOrWhiteSpace(options.RackId))
        {
            errors.Add($"{S}:RackId: is missing; write the rack's name as it appears on the floor plan, e.g. \"A-07\".");
        }

        if (options.PollInterval < TimeSpan.FromSeconds(1) || options.PollInterval > TimeSpan.FromHours(1))
        {
            errors.Add($"{S}:PollInterval: '{options.PollInterval}' is outside 00:00:01 to 01:00:00; write e.g. \"00:00:10\" for ten seconds.");
        }

        if (options.MaxConcurrency is < 1 or > 100_000)
        {
            errors.Add($"{S}:MaxConcurrency: {options.MaxConcurrency} is outside 1 to 100000; write how many miners may be read at once, e.g. 256.");
        }

        if (options.MinerTimeout < TimeSpan.FromMilliseconds(50))
        {
            errors.Add($"{S}:MinerTimeout: '{options.MinerTimeout}' is too short; write at least \"00:00:00.050\", e.g. \"00:00:03\".");
        }

        if (options.RetryCount is < 0 or > 5)
        {
            errors.Add($"{S}:RetryCount: {options.RetryCount} is outside 0 to 5; write 1 to retry a transient failure once per cycle.");
        }

        if (options.RetryDelay < TimeSpan.Zero)
        {
            errors.Add($"{S}:RetryDelay: '{options.RetryDelay}' is negative; write e.g. \"00:00:00.200\".");
        }

        // A miner's whole budget must end before the next cycle, or a hung miner would delay everyone.
        TimeSpan budget = MinerBudget(options);
        if (errors.Count == 0 && budget >= options.PollInterval)
        {
            errors.Add(
                $"{S}:MinerTimeout: {options.RetryCount + 1} attempt(s) of {options.MinerTimeout} plus retry delays take {budget}, " +
                $"which is not shorter than {S}:PollInterval {options.PollInterval}; lower MinerTimeout or RetryCount, or raise PollInterval.");
        }

        if (options.DegradedBelowPercent is < 0 or > 100)
        {
            errors.Add($"{S}:DegradedBelowPercent: {options.DegradedBelowPercent.ToString(CultureInfo.InvariantCulture)} is outside 0 to 100; write e.g. 80.");
        }

        if (options.CircuitBreaker.FailureThreshold is < 2 or > 1000)
        {
            errors.Add($"{S}:CircuitBreaker:FailureThreshold: {options.CircuitBreaker.FailureThreshold} is outside 2 to 1000; write how many failed polls in a row open the circuit, e.g. 3.");
        }

        if (options.CircuitBreaker.BreakDuration < TimeSpan.FromSeconds(1))
        {
            errors.Add($"{S}:CircuitBreaker:BreakDuration: '{options.CircuitBreaker.BreakDuration}' is shorter than one second; write e.g. \"00:01:00\".");
        }

        if (string.IsNullOrWhiteSpace(options.StateDirectory))
        {
            errors.Add($"{S}:StateDirectory: is empty; write a folder the agent may write, e.g. \"/var/lib/farm-agent\".");
        }

        if (options.Log.RetainedFiles < 1)
        {
            errors.Add($"{S}:Log:RetainedFiles: {options.Log.RetainedFiles} must be at least 1; write e.g. 14.");
        }

        if (!string.IsNullOrWhiteSpace(options.ProfilesDirectory) && !Directory.Exists(options.ProfilesDirectory))
        {
            errors.Add($"{S}:ProfilesDirectory: folder '{options.ProfilesDirectory}' does not exist; point it at the firmware-profiles folder or remove the key to use the shipped profiles.");
        }

        errors.AddRange(AgentMqttOptionsValidator.Check(options));
        errors.AddRange(ThermalOptionsValidator.Check(options));
        errors.AddRange(Pools.PoolCredentials.Check(options));
        errors.AddRange(Channels.MinerCredentials.Check(options));

        if (options.Miners.Count == 0)
        {
            errors.Add($"{S}:Miners: no miners are listed; add one entry per miner, e.g. {{ \"Id\": \"A07-01\", \"Address\": \"10.0.0.30\" }}.");
        }

        var ids = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        var endpoints = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (int i = 0; i < options.Miners.Count; i++)
        {
            MinerOptions m = options.Miners[i];
            string key = $"{S}:Miners:{i}";
            if (m is null)
            {
                errors.Add($"{key}: is empty; write {{ \"Id\": ..., \"Address\": ... }} or remove the entry.");
                continue;
            }

            if (string.IsNullOrWhiteSpace(m.Id))
            {
                errors.Add($"{key}:Id: is missing; write the miner's label, e.g. \"A07-{i + 1:00}\".");
            }
            else if (!IdPattern().IsMatch(m.Id))
            {
                errors.Add($"{key}:Id: '{m.Id}' may hold only letters, digits, '.', '_' and '-' (at most 64); rename it, e.g. \"A07-{i + 1:00}\".");
            }
            else if (ids.TryGetValue(m.Id, out int first))
            {
                errors.Add($"{key}:Id: '{m.Id}' is already used by {S}:Miners:{first}; give every miner its own id.");
            }
            else
            {
                ids[m.Id] = i;
            }

            if (string.IsNullOrWhiteSpace(m.Address))
            {
                errors.Add($"{key}:Address: is missing; write the miner's API address, e.g. 10.0.0.30.");
            }
            else if (!IsAddressOrHostName(m.Address))
            {
                errors.Add($"{key}:Address: '{m.Address}' is not an IPv4/IPv6 address or host name; write the miner's API address, e.g. 10.0.0.30.");
            }
            else
            {
                string endpoint = m.Address.Trim() + ":" + m.Port.ToString(CultureInfo.InvariantCulture);
                if (endpoints.TryGetValue(endpoint, out int other))
                {
                    errors.Add($"{key}:Address: {endpoint} is already used by {S}:Miners:{other}; each miner has its own address (or port).");
                }
                else
                {
                    endpoints[endpoint] = i;
                }
            }

            if (m.Port is < 1 or > 65535)
            {
                errors.Add($"{key}:Port: {m.Port} is outside 1 to 65535; leave it out for the standard API port 4028.");
            }

            if (m.WebPort is < 1 or > 65535)
            {
                errors.Add($"{key}:WebPort: {m.WebPort} is outside 1 to 65535; leave it out for the firmware profile's web port (80 on stock Antminer).");
            }

            if (m.ChannelPort is < 1 or > 65535)
            {
                errors.Add($"{key}:ChannelPort: {m.ChannelPort} is outside 1 to 65535; leave it out for the firmware profile's port (4433 for Whatsminer API v3).");
            }

            if (string.IsNullOrWhiteSpace(m.Profile))
            {
                errors.Add($"{key}:Profile: is empty; write \"auto\" or a firmware profile name such as \"antminer-stock\".");
            }
            else if (!string.Equals(m.Profile, MinerOptions.AutoProfile, StringComparison.OrdinalIgnoreCase) && !ProfilePattern().IsMatch(m.Profile))
            {
                errors.Add($"{key}:Profile: '{m.Profile}' is not a profile name (letters, digits, '-', '_', '.'); write \"auto\" or a file name from firmware-profiles/ without .yaml.");
            }

            if (m.NominalHashrate is not null && (!Hashrate.TryParse(m.NominalHashrate, out Hashrate nominal) || nominal <= Hashrate.Zero))
            {
                errors.Add($"{key}:NominalHashrate: '{m.NominalHashrate}' is not a positive hashrate; write a number and a unit such as \"110 TH/s\", or leave it out.");
            }
        }

        errors.AddRange(HardwareMapValidator.Check(options, relayChips));
        return errors;
    }

    /// <summary>Longest time one miner can take in one cycle: every attempt timing out, plus the waits between them.</summary>
    public static TimeSpan MinerBudget(AgentOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        int attempts = Math.Max(0, options.RetryCount) + 1;
        return (options.MinerTimeout * attempts) + (options.RetryDelay * Math.Max(0, options.RetryCount));
    }

    public static bool IsAddressOrHostName(string text)
    {
        string s = text.Trim();
        if (IPAddress.TryParse(s, out IPAddress? ip))
        {
            // IPAddress.TryParse accepts "10.1" and "167772161"; a technician means four dotted parts.
            return ip.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork || DottedQuad().IsMatch(s);
        }

        // Something that looks numeric but is no valid address (10.0.0.300) is a typo, not a host name.
        if (NumericDots().IsMatch(s))
        {
            return false;
        }

        return Uri.CheckHostName(s) == UriHostNameType.Dns;
    }

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex IdPattern();

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex ProfilePattern();

    [GeneratedRegex(@"^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$")]
    private static partial Regex DottedQuad();

    [GeneratedRegex(@"^[\d.]+$")]
    private static partial Regex NumericDots();
}
