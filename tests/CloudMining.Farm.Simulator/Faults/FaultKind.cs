namespace CloudMining.Farm.Simulator.Faults;

/// <summary>Faults a simulated miner can be given at run time.</summary>
public enum FaultKind
{
    /// <summary>Accepts the connection, reads the request, never answers.</summary>
    Hang,

    /// <summary>Nothing listens: connection refused.</summary>
    Refuse,

    /// <summary>Answers after a delay (DelayMs).</summary>
    Slow,

    /// <summary>Answers with random bytes.</summary>
    Garbage,

    /// <summary>Answers with the first part of a valid reply, then closes.</summary>
    Truncated,

    /// <summary>A hash board (Board) is gone: no chain, no temperatures, no chips.</summary>
    BoardLost,

    /// <summary>Hashrate falls to Percent % of nominal.</summary>
    HashrateDrop,
}
