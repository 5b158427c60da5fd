namespace CloudMining.Farm.Agent.Status;

/// <summary>One miner's line in status.json; hashrates in H/s, temperatures in °C, times in UTC.</summary>
public sealed record MinerStatusEntry
{
    public required string Id { get; init; }

    public required string Address { get; init; }

    public required int Port { get; init; }

    /// <summary>The profile configured for the miner ("auto" or a name).</summary>
    public required string ConfiguredProfile { get; init; }

    /// <summary>The profile that decoded the last good reading.</summary>
    public string? FirmwareProfile { get; init; }

    public string? Model { get; init; }

    public string? Firmware { get; init; }

    public double? Hashrate5s { get; init; }

    public double? HashrateAverage { get; init; }

    public double? HashrateNominal { get; init; }

    public double? MaxChipTemperature { get; init; }

    public IReadOnlyList<int> FanRpm { get; init; } = [];

    public string? PoolUrl { get; init; }

    public string? PoolUser { get; init; }

    public required string State { get; init; }

    public required string Reason { get; init; }

    public string? LastError { get; init; }

    public DateTimeOffset? LastErrorAt { get; init; }

    public DateTimeOffset? LastSuccessAt { get; init; }

    public DateTimeOffset? LastPolledAt { get; init; }

    public double? LastPollMilliseconds { get; init; }

    public int ConsecutiveFailures { get; init; }
}
