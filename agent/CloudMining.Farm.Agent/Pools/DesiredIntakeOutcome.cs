namespace CloudMining.Farm.Agent.Pools;

/// <summary>What happened to a desired pool state handed to <see cref="DesiredPoolStateStore"/>.</summary>
public enum DesiredIntakeOutcome
{
    /// <summary>Valid and new: stored on disk and now current.</summary>
    Accepted,

    /// <summary>The same generation and content as the one held (a retained re-delivery): nothing to do.</summary>
    Unchanged,

    /// <summary>Invalid or older: nothing changed; a desired-rejected event was raised.</summary>
    Rejected,
}
