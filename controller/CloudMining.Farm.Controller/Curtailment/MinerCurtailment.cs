namespace CloudMining.Farm.Controller.Curtailment;

/// <summary>
/// One step of a plan: the miner, what it does (<see cref="Action"/>, with the power target for
/// <see cref="CurtailmentAction.LowerPower"/>), whose hashrate it costs (<see cref="Owner"/>: "house" or a contract id),
/// what it saves and loses (estimated linearly from its measured power and hashrate), and why it was chosen.
/// </summary>
public sealed record MinerCurtailment(
    string MinerId,
    string Rack,
    CurtailmentAction Action,
    double? PowerTargetW,
    string Owner,
    double MeasuredPowerW,
    double JoulesPerTerahash,
    double SavedW,
    double LostHs,
    string Reason);
