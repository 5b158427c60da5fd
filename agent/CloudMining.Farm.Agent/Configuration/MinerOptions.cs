using CloudMining.Farm.Shared.MinerApi;

namespace CloudMining.Farm.Agent.Configuration;

/// <summary>One miner on the rack as the technician wrote it in agent.json.</summary>
public sealed class MinerOptions
{
    public const string AutoProfile = "auto";

    /// <summary>The rack's name for the miner (label on the machine), unique on the rack.</summary>
    public string Id { get; set; } = string.Empty;

    /// <summary>The miner's API address: IPv4, IPv6 or host name.</summary>
    public string Address { get; set; } = string.Empty;

    public int Port { get; set; } = MinerEndpoint.DefaultPort;

    /// <summary>The port of the miner's web interface (bitmain-web channel); null means the firmware profile's (80 on stock Antminer).</summary>
    public int? WebPort { get; set; }

    /// <summary>Port of the firmware's own write channel when it is neither the API nor the web port (Whatsminer API v3); null: the profile's default (4433).</summary>
    public int? ChannelPort { get; set; }

    /// <summary>Firmware profile name, or "auto" to detect it from the miner's replies.</summary>
    public string Profile { get; set; } = AutoProfile;

    /// <summary>What the miner should hash, e.g. "110 TH/s"; the firmware's own figure is used when absent.</summary>
    public string? NominalHashrate { get; set; }

    public MinerEndpoint Endpoint => new(Address, Port);
}
