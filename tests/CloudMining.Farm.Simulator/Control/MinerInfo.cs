using CloudMining.Farm.Simulator.Faults;

namespace CloudMining.Farm.Simulator.Control;

/// <summary>One simulated miner as the control API and the manifest describe it.</summary>
public sealed record MinerInfo(
    string Id,
    string Host,
    int Port,
    string Firmware,
    string Model,
    string Mac,
    string Serial,
    string FirmwareVersion,
    bool WriteAccess,
    string Power,
    IReadOnlyList<string> Faults,
    double Hashrate5sTerahash,
    long Elapsed,
    double PowerWatts)
{
    /// <summary>Port of the miner's web interface on <see cref="Host"/>, when it serves one (stock Antminer's CGI, Braiins OS+'s gRPC API).</summary>
    public int? WebPort { get; init; }

    /// <summary>The unit's serial as its firmware gives it on the cgminer API (what farm-agent reads), or null when it gives none there.</summary>
    public string? ApiSerial { get; init; }

    public static MinerInfo From(SimulatedMiner miner)
    {
        ArgumentNullException.ThrowIfNull(miner);
        Mining.MinerView view = miner.Snapshot();
        return new MinerInfo(
            miner.Id,
            miner.ListenEndPoint.Address.ToString(),
            miner.ListenEndPoint.Port,
            miner.Firmware,
            miner.Model.Name,
            miner.Identity.Mac,
            miner.Identity.Serial,
            miner.Identity.FirmwareVersion,
            miner.Spec.WriteAccess,
            miner.PowerState.ToString().ToLowerInvariant(),
            miner.Faults.Select(Describe).ToList(),
            Math.Round(view.Hash5s / 1e12, 3),
            view.Elapsed,
            view.PowerWatts)
        {
            WebPort = miner.WebEndPoint?.Port,
            ApiSerial = miner.Personality.ReportsSerialOnApi ? miner.Identity.Serial : null,
        };
    }

    private static string Describe(MinerFault f) => f.Kind switch
    {
        FaultKind.Slow => $"slow:{f.DelayMs}ms",
        FaultKind.BoardLost => $"board-lost:{f.Board}",
        FaultKind.HashrateDrop => $"hashrate-drop:{f.Percent:0.##}%",
        _ => FaultNames.Name(f.Kind),
    };
}
