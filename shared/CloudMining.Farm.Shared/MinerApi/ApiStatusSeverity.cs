namespace CloudMining.Farm.Shared.MinerApi;

/// <summary>The STATUS letter of a cgminer-style reply: Success, Info, Warning, Error, Fatal.</summary>
public enum ApiStatusSeverity
{
    Success,
    Info,
    Warning,
    Error,
    Fatal,
    Unknown,
}
