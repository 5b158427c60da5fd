namespace CloudMining.Farm.Shared.Wire;

/// <summary>A stratum pool URL that passed <see cref="PoolEndpointRules"/>, split into its parts.</summary>
public sealed record PoolEndpoint(string Url, string Scheme, string Host, int Port);
