using CloudMining.Farm.Shared.MinerApi;

namespace CloudMining.Farm.Shared.Firmware.Channels;

/// <summary>
/// One miner as a write channel sees it: its rack id (for messages), its API endpoint, its firmware profile, the port
/// of its web interface when it has one, and the login configured for it (null when none is).
/// </summary>
public sealed record ChannelTarget(string MinerId, MinerEndpoint Endpoint, FirmwareProfile Profile)
{
    public int? WebPort { get; init; }

    public MinerCredential? Credential { get; init; }

    /// <summary>The miner's own port for a channel that has its own (Whatsminer API v3), else null: the profile's <c>ports:</c> or the channel's default.</summary>
    public int? ChannelPort { get; init; }

    /// <summary>The web port to use: the miner's own, else the profile's default.</summary>
    public int EffectiveWebPort => WebPort ?? Profile.Web.Port;

    /// <summary>The configured login's password is the vendor's factory password from the profile (works, but anyone on the network can use it too).</summary>
    public bool UsesVendorDefaultPassword =>
        Credential is { } login && Profile.Web.VendorDefaultPassword is { } vendor && string.Equals(login.Password, vendor, StringComparison.Ordinal);

    public override string ToString() => $"{MinerId} ({Endpoint.Host})";
}
