namespace CloudMining.Farm.Shared.Firmware.Channels;

/// <summary>
/// A profile's defaults for a miner's web interface: the port, the login user, the vendor's factory password (public
/// knowledge, only used to warn that a miner still has it) and the most pools the firmware's form holds.
/// </summary>
public sealed record WebChannelSettings(int Port, string DefaultUser, string? VendorDefaultPassword, int MaxPools)
{
    public static WebChannelSettings Default { get; } = new(80, "root", null, 3);
}
