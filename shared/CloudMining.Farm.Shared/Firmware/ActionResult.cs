using CloudMining.Farm.Shared.MinerApi;

namespace CloudMining.Farm.Shared.Firmware;

/// <summary>
/// What running one profile action did: the outcome, how many commands went out (the session login included), the
/// miner's STATUS messages, and the typed error of the command that failed. Secret placeholder values (the pool
/// password) are masked out of every message, since a firmware may echo its parameters back ("Invalid addpool details
/// 'url,user,pass'").
/// </summary>
public sealed record ActionResult(ProfileAction Action, ActionOutcome Outcome, int CommandsSent, IReadOnlyList<string> Messages, MinerApiError? Error)
{
    public bool Succeeded => Outcome == ActionOutcome.Succeeded;
}
