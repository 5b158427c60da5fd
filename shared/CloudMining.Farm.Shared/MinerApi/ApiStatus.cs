namespace CloudMining.Farm.Shared.MinerApi;

/// <summary>The STATUS block every cgminer-style reply carries: severity, code, message and the miner's clock.</summary>
public sealed record ApiStatus(ApiStatusSeverity Severity, int? Code, string? Msg, string? Description, long? When)
{
    public bool IsError => Severity is ApiStatusSeverity.Error or ApiStatusSeverity.Fatal;

    public static ApiStatusSeverity ParseSeverity(string? letter) => letter switch
    {
        "S" or "s" => ApiStatusSeverity.Success,
        "I" or "i" => ApiStatusSeverity.Info,
        "W" or "w" => ApiStatusSeverity.Warning,
        "E" or "e" => ApiStatusSeverity.Error,
        "F" or "f" => ApiStatusSeverity.Fatal,
        _ => ApiStatusSeverity.Unknown,
    };
}
