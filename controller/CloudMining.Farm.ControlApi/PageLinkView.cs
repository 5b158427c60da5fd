namespace CloudMining.Farm.ControlApi;

/// <summary>
/// A read-only link to one of the controller's web pages: the contract's proof page (<paramref name="ContractId"/> set)
/// or the operator dashboard (null). <paramref name="Path"/> is relative to the API's address and carries the link token.
/// </summary>
public sealed record PageLinkView(string? ContractId, string Token, string Path);
