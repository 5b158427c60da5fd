namespace CloudMining.Farm.Agent.Power;

/// <summary>The <see cref="IMinerPower"/> of a rack whose hardware map lists no relays: no miner can be switched, and every request says so.</summary>
public sealed class NoRelayPower : IMinerPower
{
    public bool HasRelay(string minerId) => false;

    public bool IsPoweredOn(string minerId) => throw Refuse(minerId);

    public Task PowerOffAsync(string minerId, string reason, CancellationToken cancellationToken) => throw Refuse(minerId);

    public Task PowerOnAsync(string minerId, string reason, CancellationToken cancellationToken) => throw Refuse(minerId);

    public Task PowerCycleAsync(string minerId, string reason, CancellationToken cancellationToken) => throw Refuse(minerId);

    private static InvalidOperationException Refuse(string minerId) =>
        new($"Miner '{minerId}' has no relay: Agent:Hardware:Relays is empty on this rack, so the agent cannot switch any outlet.");
}
