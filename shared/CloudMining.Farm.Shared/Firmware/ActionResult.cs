using CloudMining.Farm.Shared.MinerApi;

namespace CloudMining.Farm.Shared.Firmware;

/// <summary>What running one firmware-profile action on one miner did: how far the command sequence got and, when it stopped, why.</summary>
/// <remarks>Never carries rendered parameters: an addPool step holds the pool password.</remarks>
public sealed record ActionResult
{
    public required string Profile { get; init; }

    public required ProfileAction Action { get; init; }

    /// <summary>Commands in the action (the session login not counted).</summary>
    public required int StepCount { get; init; }

    /// <summary>Commands the miner accepted, in order; equals <see cref="StepCount"/> on success.</summary>
    public int StepsCompleted { get; init; }

    /// <summary>The STATUS Msg of each accepted command ("Added pool 2: '…'"), null where the firmware sent none.</summary>
    public IReadOnlyList<string?> Messages { get; init; } = [];

    /// <summary>True when the profile has no command sequence for the action: nothing was sent.</summary>
    public bool NotSupported { get; init; }

    /// <summary>Why the sequence stopped; null on success and when not supported.</summary>
    public MinerApiError? Error { get; init; }

    public bool IsSuccess => !NotSupported && Error is null;

    public override string ToString() =>
        NotSupported ? $"{Action} is not supported by firmware profile {Profile}"
        : Error is null ? $"{Action} done ({StepsCompleted} command(s))"
        : $"{Action} stopped after {StepsCompleted} of {StepCount} command(s): {Error}";
}
