namespace CloudMining.Farm.Agent.Pools;

/// <summary>
/// One entry of a desired pool state the agent will not apply, while it applies the others. <see cref="MinerId"/> is the
/// entry's miner id when it is a usable id (a topic level of at most 64 characters), else null (empty, absurdly long,
/// an entry that is null); <see cref="Reason"/> names the entry and field, with every echo of the input bounded.
/// </summary>
public sealed record RejectedMinerEntry(int Index, string? MinerId, string Reason);
