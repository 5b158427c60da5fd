using CloudMining.Farm.Agent.Channels;
using CloudMining.Farm.Agent.Polling;
using CloudMining.Farm.Shared.Firmware;
using CloudMining.Farm.Shared.Firmware.Channels;

namespace CloudMining.Farm.Agent.Watchdog;

/// <summary>
/// Restarts a miner through the write channel its firmware profile routes restartMining to (reboot when the profile
/// has no restartMining route), with the miner's login from Agent:MinerCredentials: on stock Antminer that is the web
/// CGI, since its cgminer API refuses writes. The profile is the one configured, else the one that last read it.
/// </summary>
public sealed class MinerRestarter
{
    private readonly FirmwareProfileCatalog _catalog;
    private readonly MinerChannels _channels;

    public MinerRestarter(FirmwareProfileCatalog catalog, MinerChannels channels)
    {
        _catalog = catalog ?? throw new ArgumentNullException(nameof(catalog));
        _channels = channels ?? throw new ArgumentNullException(nameof(channels));
    }

    /// <summary>The operation the restart step uses for <paramref name="profile"/>: restartMining where routed, else reboot.</summary>
    public static MinerOperation OperationFor(FirmwareProfile profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        return profile.Route(MinerOperation.RestartMining) is not null || profile.Route(MinerOperation.Reboot) is null
            ? MinerOperation.RestartMining
            : MinerOperation.Reboot;
    }

    /// <summary>The restart's result, or null when the miner's firmware profile is unknown (never read, "auto").</summary>
    public async Task<ChannelResult?> RestartAsync(MinerPollStatus miner, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(miner);
        string? name = !string.Equals(miner.ConfiguredProfile, FirmwareProfileCatalog.Auto, StringComparison.OrdinalIgnoreCase)
            ? miner.ConfiguredProfile
            : miner.Snapshot?.Identity.Profile;
        if (name is null || !_catalog.TryGet(name, out FirmwareProfile profile))
        {
            return null;
        }

        ChannelTarget target = _channels.Target(miner.MinerId, miner.Endpoint, profile);
        return await _channels.Writer.RunAsync(target, OperationFor(profile), cancellationToken);
    }
}
