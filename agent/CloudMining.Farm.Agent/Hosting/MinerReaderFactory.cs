using CloudMining.Farm.Agent.Configuration;
using CloudMining.Farm.Shared.Firmware;
using CloudMining.Farm.Shared.MinerApi;

namespace CloudMining.Farm.Agent.Hosting;

/// <summary>Creates the production miner reader (firmware profile catalog + API client) from the agent's options.</summary>
public static class MinerReaderFactory
{
    /// <summary>Loads the profiles and checks every configured profile name against them, so a typo stops the agent at start.</summary>
    public static MinerReader Create(AgentOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        FirmwareProfileCatalog catalog;
        try
        {
            catalog = FirmwareProfileCatalog.Load(FirmwareProfileLocator.Resolve(options.ProfilesDirectory));
        }
        catch (FirmwareProfileException e)
        {
            throw new AgentConfigurationException($"{AgentOptions.SectionName}:ProfilesDirectory: firmware profiles unusable: {e.Message}", e);
        }

        var errors = new List<string>();
        for (int i = 0; i < options.Miners.Count; i++)
        {
            string profile = options.Miners[i].Profile;
            if (!string.Equals(profile, FirmwareProfileCatalog.Auto, StringComparison.OrdinalIgnoreCase) && !catalog.TryGet(profile, out _))
            {
                errors.Add(
                    $"{AgentOptions.SectionName}:Miners:{i}:Profile: no firmware profile '{profile}' in {catalog.Directory}; " +
                    $"write \"auto\" or one of {string.Join(", ", catalog.Profiles.Select(p => p.Name))}.");
            }
        }

        if (errors.Count > 0)
        {
            throw new AgentConfigurationException(string.Join(Environment.NewLine + "  ", errors));
        }

        // The Polly timeout bounds each attempt as a whole; the client's own limits are a backstop at the same length.
        var client = new MinerApiClient(new MinerApiClientOptions { ConnectTimeout = options.MinerTimeout, ReadTimeout = options.MinerTimeout });
        return new MinerReader(catalog, client);
    }
}
