namespace CloudMining.Farm.ControlApi;

/// <summary>The farm as the controller sees it now.</summary>
public sealed record FleetView(string Site, IReadOnlyList<RackView> Racks, IReadOnlyList<MinerView> Miners)
{
    /// <summary>Miner ids reported by a rack they do not belong to: for the operator to resolve; nothing moves meanwhile.</summary>
    public IReadOnlyList<ConflictView> Conflicts { get; init; } = [];
}
