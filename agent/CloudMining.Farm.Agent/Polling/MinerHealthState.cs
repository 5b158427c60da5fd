namespace CloudMining.Farm.Agent.Polling;

/// <summary>What the agent currently knows about one miner, from its last poll.</summary>
public enum MinerHealthState
{
    /// <summary>Not polled yet since the agent started.</summary>
    Unknown,

    /// <summary>Answers and hashes at or near its nominal rate.</summary>
    Ok,

    /// <summary>Answers and hashes, but clearly below its nominal rate (a board lost, throttling).</summary>
    Degraded,

    /// <summary>Answers but reports no hashrate.</summary>
    NotHashing,

    /// <summary>Nothing accepts a connection on its API port (powered off, cable, wrong address).</summary>
    Unreachable,

    /// <summary>Connects but does not finish answering in time (hung firmware).</summary>
    Timeout,

    /// <summary>Answers with bytes that are not a readable API reply.</summary>
    Malformed,

    /// <summary>The API refuses our commands (API access not granted to the agent's address).</summary>
    AccessDenied,

    /// <summary>Answers, but with errors or without what its firmware profile needs.</summary>
    Failing,

    /// <summary>Failed too many polls in a row; skipped until the break ends and a probe poll succeeds.</summary>
    CircuitOpen,
}
