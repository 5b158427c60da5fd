namespace CloudMining.Farm.Controller.Curtailment;

/// <summary>What a plan costs one assignee (the house or a contract): miners touched, power saved and hashrate lost, by its shares.</summary>
public sealed record AssigneeCurtailment(string Assignee, bool Curtailable, int Miners, double SavedW, double LostHs);
