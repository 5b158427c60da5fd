using CloudMining.Farm.Agent.Configuration;
using CloudMining.Farm.Agent.Hosting;
using CloudMining.Farm.Agent.Power;
using CloudMining.Farm.Shared.Firmware;

namespace CloudMining.Farm.Agent.Checks;

/// <summary>
/// `farm-agent check`: everything a technician must know before the agent goes live — the config validates, every miner
/// answers with the firmware it is configured for, every sensor reads, the relay map is consistent and its chip opens —
/// without switching a relay or changing anything on a miner.
/// </summary>
public static partial class RackChecker
{
    /// <summary>
    /// Runs every check; a config that cannot be read at all is one failed line and nothing else. <paramref name="relayChips"/>
    /// are the relay chips this build can open (null: farm-agent's, <see cref="RelayDriverFactory.Product"/>).
    /// </summary>
    public static async Task<CheckReport> RunAsync(string configPath, CancellationToken cancellationToken, RelayDriverFactory? relayChips = null)
    {
        ArgumentNullException.ThrowIfNull(configPath);
        relayChips ??= RelayDriverFactory.Product;
        var results = new List<CheckResult>();
        AgentOptions options;
        try
        {
            Microsoft.Extensions.Configuration.IConfigurationRoot configuration = AgentConfiguration.Load(configPath);
            options = AgentConfiguration.Bind(configuration, configPath);
            results.AddRange(AgentConfiguration.UnknownKeys(configuration).Select(k => CheckResult.Warn("config", k.Key, k.Message)));
        }
        catch (AgentConfigurationException e)
        {
            results.Add(CheckResult.Fail("config", configPath, e.Message));
            return new CheckReport(Path.GetFullPath(configPath), false, results);
        }

        List<string> errors = AgentOptionsValidator.Check(options, relayChips);
        MinerReader? reader = null;
        try
        {
            reader = MinerReaderFactory.Create(options);
        }
        catch (AgentConfigurationException e)
        {
            errors.AddRange(e.Message.Split(Environment.NewLine, StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));
        }

        foreach (string error in errors)
        {
            string key = KeyOf(error);
            results.Add(CheckResult.Fail("config", key, key == "config" ? error : error[(key.Length + 2)..]));
        }

        if (errors.Count == 0)
        {
            results.Add(CheckResult.Pass(
                "config",
                Path.GetFullPath(configPath),
                $"valid: rack {options.RackId} at {(options.Site.Length == 0 ? "(no site)" : options.Site)}, {options.Miners.Count} miners, " +
                $"{options.Hardware.Relays.Count} relays, {options.Hardware.Fans.Count} fan groups, {options.Hardware.Sensors.Count} sensors"));
        }

        if (CheckSecretsFile(configPath) is { } secrets)
        {
            results.Add(secrets);
        }

        var capabilities = new System.Collections.Concurrent.ConcurrentBag<Shared.Wire.MinerCapabilities>();
        if (reader is not null)
        {
            results.AddRange(await CheckMinersAsync(options, reader, capabilities, cancellationToken));
        }

        results.AddRange(await CheckSensorsAsync(options.Hardware, cancellationToken));
        results.AddRange(CheckFans(options.Hardware));
        results.AddRange(CheckRelays(options, relayChips));
        return new CheckReport(Path.GetFullPath(configPath), results.All(r => r.Passed), results)
        {
            Miners = [.. capabilities.OrderBy(c => c.MinerId, StringComparer.Ordinal)],
        };
    }

    /// <summary>The secrets file, when there is one, must not be readable by the group or others.</summary>
    private static CheckResult? CheckSecretsFile(string configPath)
    {
        string path = AgentConfiguration.SecretsPath(configPath);
        if (!File.Exists(path) || OperatingSystem.IsWindows())
        {
            return null;
        }

        UnixFileMode mode = File.GetUnixFileMode(path);
        UnixFileMode open = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite;
        return (mode & open) != 0
            ? CheckResult.Warn("config", path, "the secrets file is readable by others than its owner", $"chmod 600 {path} and chown it to the service user (farm-agent)")
            : CheckResult.Pass("config", path, "secrets file readable by its owner only");
    }

    /// <summary>"Agent:Miners:3:Address: '…' is …" → "Agent:Miners:3:Address".</summary>
    private static string KeyOf(string error)
    {
        int colonSpace = error.IndexOf(": ", StringComparison.Ordinal);
        return colonSpace > 0 && !error[..colonSpace].Contains(' ', StringComparison.Ordinal) ? error[..colonSpace] : "config";
    }
}
