namespace CloudMining.Farm.Shared.Firmware.Channels;

/// <summary>The names profiles, logs and reports use for write channels and operations ("cgminer-rpc", "setPools").</summary>
public static class WriteChannelNames
{
    public const string CgminerRpc = "cgminer-rpc";

    public const string BitmainWeb = "bitmain-web";

    public const string CgminerSession = "cgminer-session";

    public const string WhatsminerV2 = "whatsminer-v2";

    public const string WhatsminerV3 = "whatsminer-v3";

    public const string BraiinsGrpc = "braiins-grpc";

    public const string VnishRest = "vnish-rest";

    public static string Of(WriteChannelKind kind) => kind switch
    {
        WriteChannelKind.CgminerRpc => CgminerRpc,
        WriteChannelKind.BitmainWeb => BitmainWeb,
        WriteChannelKind.CgminerSession => CgminerSession,
        WriteChannelKind.WhatsminerV2 => WhatsminerV2,
        WriteChannelKind.WhatsminerV3 => WhatsminerV3,
        WriteChannelKind.BraiinsGrpc => BraiinsGrpc,
        WriteChannelKind.VnishRest => VnishRest,
        _ => kind.ToString(),
    };

    public static bool TryParse(string? name, out WriteChannelKind kind)
    {
        string wanted = name?.Trim() ?? string.Empty;
        foreach (WriteChannelKind candidate in Enum.GetValues<WriteChannelKind>())
        {
            if (string.Equals(Of(candidate), wanted, StringComparison.OrdinalIgnoreCase))
            {
                kind = candidate;
                return true;
            }
        }

        kind = default;
        return false;
    }

    /// <summary>Every channel name, for error messages ("known channels: …").</summary>
    public static IReadOnlyList<string> All { get; } = Enum.GetValues<WriteChannelKind>().Select(Of).ToArray();

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
