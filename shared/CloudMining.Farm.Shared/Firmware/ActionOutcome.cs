namespace CloudMining.Farm.Shared.Firmware;

/// <summary>How running one profile action on a miner ended.</summary>
public enum ActionOutcome
{
    /// <summary>Every command of the action was answered without an error status.</summary>
    Succeeded,

    /// <summary>The miner's firmware profile has no command sequence for the action; nothing was sent.</summary>
    NotSupported,

    /// <summary>A command failed (refused, error status, unreachable…); the commands after it were not sent.</summary>
    Failed,
}
