using CloudMining.Farm.Agent.Polling;
using CloudMining.Farm.Shared.Firmware;

namespace CloudMining.Farm.Agent.Watchdog;

/// <summary>Restarts a miner through its firmware profile's restart action (the profile configured, else the one that last read it).</summary>
public sealed class MinerRestarter
{
    private static readonly Dictionary<string, string> NoValues = [];

    private readonly FirmwareProfileCatalog catalog;
    private readonly ActionRunner runner;

    public MinerRestarter(FirmwareProfileCatalog catalog, ActionRunner runner)
    {
        this.catalog = catalog ?? throw new ArgumentNullException(nameof(catalog));
        this.runner = runner ?? throw new ArgumentNullException(nameof(runner));
    }

    /// <summary>The restart's result, or null when the miner's firmware profile is unknown (never read, "auto").</summary>
    public async Task<ActionResult?> RestartAsync(MinerHealth miner, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(miner);
        string? name = !string.Equals(miner.ConfiguredProfile, FirmwareProfileCatalog.Auto, StringComparison.OrdinalIgnoreCase)
            ? miner.ConfiguredProfile
            : miner.Snapshot?.Identity.Profile;
        if (name is null || !catalog.TryGet(name, out FirmwareProfile profile))
        {
            return null;
        }

        return await runner.RunAsync(miner.Endpoint, profile, ProfileAction.Restart, NoValues, cancellationToken);
    }
}
