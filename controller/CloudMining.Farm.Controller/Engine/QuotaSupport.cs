using CloudMining.Farm.Controller.Configuration;
using CloudMining.Farm.Shared.Firmware;
using Microsoft.Extensions.Logging;

namespace CloudMining.Farm.Controller.Engine;

/// <summary>Which firmware profiles can split a miner between pools by quota: those whose profile offers a setQuota action.</summary>
public sealed class QuotaSupport
{
    private readonly HashSet<string> profiles;
    private readonly HashSet<string> readOnlyProfiles;

    /// <param name="quotaProfiles">Profiles with a setQuota action.</param>
    /// <param name="readOnlyPoolProfiles">Profiles without an addPool action: their miners' pools cannot be changed (unlisted profiles count as writable).</param>
    public QuotaSupport(IEnumerable<string> quotaProfiles, IEnumerable<string>? readOnlyPoolProfiles = null)
    {
        ArgumentNullException.ThrowIfNull(quotaProfiles);
        profiles = new HashSet<string>(quotaProfiles, StringComparer.OrdinalIgnoreCase);
        readOnlyProfiles = new HashSet<string>(readOnlyPoolProfiles ?? [], StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>No firmware splits: every contract is covered with whole miners.</summary>
    public static QuotaSupport None { get; } = new([]);

    /// <summary>The profile names that support quotas.</summary>
    public IReadOnlyCollection<string> Profiles => profiles;

    /// <summary>Reads the firmware profiles: a profile whose pool channel sets quotas supports quota shares; one with no pool channel is read-only.</summary>
    public static QuotaSupport FromCatalog(FirmwareProfileCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new QuotaSupport(
            catalog.Profiles.Where(p => p.CanSetQuota).Select(p => p.Name),
            catalog.Profiles.Where(p => !p.CanSetPools).Select(p => p.Name));
    }

    /// <summary>
    /// Loads the catalog from <paramref name="directory"/> (or where the agent would find it); a configured folder that
    /// cannot be read is an error, a missing default one means "no quotas" with a warning.
    /// </summary>
    public static QuotaSupport Load(string? directory, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(logger);
        try
        {
            return FromCatalog(FirmwareProfileCatalog.Load(FirmwareProfileLocator.Resolve(directory)));
        }
        catch (FirmwareProfileException e) when (string.IsNullOrWhiteSpace(directory))
        {
            logger.LogWarning("No firmware profiles found ({Problem}); contracts are covered with whole miners only. Set Controller:Engine:ProfilesDirectory to enable pool quota shares", e.Message);
            return None;
        }
        catch (FirmwareProfileException e)
        {
            throw new ControllerConfigurationException("Controller:Engine:ProfilesDirectory", e.Message);
        }
    }

    public bool Supports(string? profile) => profile is not null && profiles.Contains(profile);

    /// <summary>Whether the profile is known to be unable to add pools (the agent would refuse every desired state for it).</summary>
    public bool PoolsReadOnly(string? profile) => profile is not null && readOnlyProfiles.Contains(profile);
}
