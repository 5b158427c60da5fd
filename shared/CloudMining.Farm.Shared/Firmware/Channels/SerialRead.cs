namespace CloudMining.Farm.Shared.Firmware.Channels;

/// <summary>
/// What reading a miner's serial through a channel gave: the serial (already through <see cref="Wire.MinerSerial.Normalize"/>),
/// or the typed error saying what failed and what to do. Never carries a password or a token.
/// </summary>
public sealed record SerialRead(string Channel, string? Serial, ChannelError? Error)
{
    public bool Succeeded => Serial is not null;

    public static SerialRead Read(string channel, string serial) => new(channel, serial, null);

    public static SerialRead Failed(string channel, ChannelError error) => new(channel, null, error);
}
