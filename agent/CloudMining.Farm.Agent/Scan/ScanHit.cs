namespace CloudMining.Farm.Agent.Scan;

/// <summary>One address that answered on the API port: the firmware profile it matched and what it says it is.</summary>
public sealed record ScanHit
{
    public required string Address { get; init; }

    public required int Port { get; init; }

    /// <summary>The firmware profile detection chose; null when the port answered but nothing could be detected.</summary>
    public string? Profile { get; init; }

    public string? Model { get; init; }

    public string? Firmware { get; init; }

    public string? Version { get; init; }

    public double? Hashrate5sHs { get; init; }

    /// <summary>Why the miner could not be read fully, when it answered but the read failed.</summary>
    public string? Error { get; init; }
}
