using System.Collections.Concurrent;
using CloudMining.Farm.Agent.Power;
using CloudMining.Farm.Simulator;

namespace CloudMining.Farm.Tests.Agent.Thermal;

/// <summary>
/// Relays for the thermal tests: each call really switches the simulated miner's power (it stops answering, its chips
/// report nothing) and is recorded with its reason. Miners listed as relay-less are refused like the real controller does.
/// </summary>
public sealed class SimulatedMinerPower : IMinerPower
{
    private readonly Dictionary<string, SimulatedMiner> _miners;
    private readonly ConcurrentDictionary<string, bool> _on = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentQueue<PowerAction> _actions = new();

    public SimulatedMinerPower(IEnumerable<SimulatedMiner> miners, params string[] withoutRelay)
    {
        _miners = miners.Where(m => !withoutRelay.Contains(m.Id)).ToDictionary(m => m.Id, StringComparer.OrdinalIgnoreCase);
        foreach (string id in _miners.Keys)
        {
            _on[id] = true;
        }
    }

    public IReadOnlyList<PowerAction> Actions => _actions.ToArray();

    public bool HasRelay(string minerId) => _miners.ContainsKey(minerId);

    public bool IsPoweredOn(string minerId) => _on.TryGetValue(minerId, out bool value) ? value : throw new InvalidOperationException($"{minerId} has no relay");

    public Task PowerOffAsync(string minerId, string reason, CancellationToken cancellationToken) => Switch(minerId, false, "off", reason);

    public Task PowerOnAsync(string minerId, string reason, CancellationToken cancellationToken) => Switch(minerId, true, "on", reason);

    public async Task PowerCycleAsync(string minerId, string reason, CancellationToken cancellationToken)
    {
        await Switch(minerId, false, "cycle-off", reason);
        await Switch(minerId, true, "cycle-on", reason);
    }

    private Task Switch(string minerId, bool power, string action, string reason)
    {
        if (!_miners.TryGetValue(minerId, out SimulatedMiner? miner))
        {
            throw new InvalidOperationException($"Miner {minerId} has no relay in the hardware map.");
        }

        miner.SetPower(power);
        _on[minerId] = power;
        _actions.Enqueue(new PowerAction(action, minerId, reason));
        return Task.CompletedTask;
    }

    /// <summary>One relay action as the test saw it.</summary>
    public sealed record PowerAction(string Action, string MinerId, string Reason);
}
