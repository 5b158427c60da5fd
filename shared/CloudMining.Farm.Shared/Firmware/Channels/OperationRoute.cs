namespace CloudMining.Farm.Shared.Firmware.Channels;

/// <summary>
/// How a profile carries out one operation: the channel, and for channels that need it the command (the CGI script,
/// "set_miner_conf"), the configuration field it changes ("miner-mode") and the value written there ("1").
/// For <see cref="WriteChannelKind.CgminerRpc"/> the commands are the profile's <c>actions:</c>.
/// </summary>
public sealed record OperationRoute(MinerOperation Operation, WriteChannelKind Channel, string? Command = null, string? Field = null, string? Value = null);
