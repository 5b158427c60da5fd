namespace CloudMining.Farm.Shared.Wire;

/// <summary>A parsed farm/v1 topic: its kind and the ids it carries.</summary>
public sealed record FarmTopic(FarmTopicKind Kind, string Site, string? Rack = null, string? MinerId = null, string? ContractId = null);
