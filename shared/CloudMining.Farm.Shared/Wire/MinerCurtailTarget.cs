namespace CloudMining.Farm.Shared.Wire;

/// <summary>
/// One miner's curtailment in <c>farm.v1.desired</c> (<c>curtailment[]</c>, added within v1; an agent that does not
/// know it ignores it). <paramref name="PowerTargetW"/> is the power target for <see cref="CurtailAction.PowerTarget"/>,
/// and for <see cref="CurtailAction.Resume"/> the power target to go back to (null: only resume from sleep).
/// <paramref name="Since"/> is when the controller decided it (the agent reports against it). Curtailment never uses relays.
/// </summary>
public sealed record MinerCurtailTarget(string MinerId, CurtailAction Action, double? PowerTargetW = null, DateTimeOffset? Since = null);
