using CloudMining.Farm.Shared.Firmware;

namespace CloudMining.Farm.Agent.Pools;

/// <summary>
/// One firmware-profile action of a pool change with its placeholder values. <see cref="Summary"/> says what it does
/// for logs and events and never holds the password. <see cref="DisableIfRefused"/>: a removal the miner refuses
/// (cgminer will not remove the pool it is mining on) falls back to disabling that pool.
/// </summary>
public sealed record PoolStep(ProfileAction Action, IReadOnlyDictionary<string, string> Values, string Summary, bool DisableIfRefused = false);
