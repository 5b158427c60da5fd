namespace CloudMining.Farm.ControlApi;

/// <summary>What a curtailment plan costs the house or one contract.</summary>
public sealed record CurtailmentAssigneeView(string Assignee, bool Curtailable, int Miners, double SavedW, double LostHs);
