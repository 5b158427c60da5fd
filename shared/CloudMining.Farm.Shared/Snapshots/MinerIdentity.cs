namespace CloudMining.Farm.Shared.Snapshots;

/// <summary>What a miner says it is: the firmware profile that read it, model, firmware and hardware identifiers where given.</summary>
public sealed record MinerIdentity
{
    /// <summary>Name of the firmware profile (file in firmware-profiles/) that decoded the replies.</summary>
    public required string Profile { get; init; }

    public string? Model { get; init; }

    public string? Firmware { get; init; }

    public string? FirmwareVersion { get; init; }

    public string? Serial { get; init; }

    public string? Mac { get; init; }
}
