namespace CloudMining.Farm.Shared.Wire;

/// <summary>Published on farm/v1/{site}/{rack}/miners/{minerId}/state when a miner's state changes.</summary>
public sealed record MinerStatePayload : FarmMessage
{
    public const string SchemaId = "farm.v1.miner-state";

    public override string Schema => SchemaId;

    public required string Site { get; init; }

    public required string Rack { get; init; }

    public required string MinerId { get; init; }

    /// <summary>hashing, degraded, idle, unreachable, restarting, powered-off; <see cref="MinerState.Unknown"/> for a state this program does not know.</summary>
    public required MinerState State { get; init; }

    public MinerState? PreviousState { get; init; }

    public string? Reason { get; init; }

    /// <summary>
    /// The serial number the miner's firmware reports for itself (added within v1, optional): where the firmware profile
    /// reads it from is in firmware-profiles/ (identity.serial). Absent when the firmware gives none or it was not read
    /// yet; a consumer shows "unknown", never a made-up value. At most <see cref="MaxSerialChars"/> characters.
    /// </summary>
    public string? Serial { get; init; }

    /// <summary>The longest serial the agent sends (real ones are 12–40 characters).</summary>
    public const int MaxSerialChars = 64;

    /// <inheritdoc />
    public override IReadOnlyList<string> UnknownStates() =>
        [.. new[] { ("state", (MinerState?)State), ("previousState", PreviousState) }.Where(f => f.Item2 == MinerState.Unknown).Select(f => f.Item1)];

    /// <inheritdoc />
    public override string? Malformation() =>
        base.Malformation() ?? FirstNull(("site", Site), ("rack", Rack), ("minerId", MinerId));
}
