namespace CloudMining.Farm.Shared.Firmware.Channels;

/// <summary>The names profiles, logs and reports use for write channels and operations ("cgminer-rpc", "setPools").</summary>
public static class WriteChannelNames
{
    public const string CgminerRpc = "cgminer-rpc";

    public const string BitmainWeb = "bitmain-web";

    public static string Of(WriteChannelKind kind) => kind switch
    {
        WriteChannelKind.CgminerRpc => CgminerRpc,
        WriteChannelKind.BitmainWeb => BitmainWeb,
        _ => kind.ToString(),
    };

    public static bool TryParse(string? name, out WriteChannelKind kind)
    {
        switch (name?.Trim().ToLowerInvariant())
        {
            case CgminerRpc:
                kind = WriteChannelKind.CgminerRpc;
                return true;
            case BitmainWeb:
                kind = WriteChannelKind.BitmainWeb;
                return true;
            default:
                kind = default;
                return false;
        }
    }

    /// <summary>The YAML key of an operation under <c>operations:</c> ("setPools", "locateOn").</summary>
    public static string Of(MinerOperation operation) => operation switch
    {
        MinerOperation.SetPools => "setPools",
        MinerOperation.RestartMining => "restartMining",
        MinerOperation.Reboot => "reboot",
        MinerOperation.Pause => "pause",
        MinerOperation.Resume => "resume",
        MinerOperation.SetPowerTarget => "setPowerTarget",
        MinerOperation.LocateOn => "locateOn",
        MinerOperation.LocateOff => "locateOff",
        _ => operation.ToString(),
    };
}
