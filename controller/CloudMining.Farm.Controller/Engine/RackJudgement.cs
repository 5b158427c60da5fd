namespace CloudMining.Farm.Controller.Engine;

/// <summary>
/// How <see cref="StalenessPolicy"/> judges one rack's miners now: <paramref name="AgentLost"/> when its agent has been
/// offline beyond the grace period; otherwise telemetry counts as heard no earlier than <paramref name="HeardNoEarlierThan"/>
/// (null: hold, judge nobody stale).
/// </summary>
public sealed record RackJudgement(bool AgentLost, DateTimeOffset? HeardNoEarlierThan)
{
    /// <summary>Keep the miners as they were: the controller cannot hear, or the agent is within its offline grace.</summary>
    public static RackJudgement Hold { get; } = new(false, null);

    /// <summary>The agent has been offline beyond the grace period: its miners are lost.</summary>
    public static RackJudgement Lost { get; } = new(true, null);
}
