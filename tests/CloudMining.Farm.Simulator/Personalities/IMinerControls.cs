using CloudMining.Farm.Simulator.Mining;

namespace CloudMining.Farm.Simulator.Personalities;

/// <summary>
/// What a personality may change on its miner when a firmware-specific command asks for it: sleep, the locate LED, a
/// power level, LuxOS's session and pool groups. The miner keeps the state; personalities are shared by all miners.
/// </summary>
public interface IMinerControls
{
    MinerSpec Spec { get; }

    /// <summary>The simulated clock's now.</summary>
    DateTimeOffset Now { get; }

    MinerView Snapshot();

    /// <summary>Counts a privileged request (for tests proving nothing was sent).</summary>
    void CountWrite();

    /// <summary>Asleep: the API answers but the chips do no work.</summary>
    bool Sleeping { get; set; }

    /// <summary>The locate LED blinks.</summary>
    bool Locating { get; set; }

    /// <summary>The power preset, profile or level in force (null: the factory default).</summary>
    string? PowerLevel { get; }

    /// <summary>Sets a power preset: its name and the share of the model's nominal power (and hashrate) it runs at.</summary>
    void SetPowerLevel(string? name, double scale);

    /// <summary>The active session id, or null when none (or it expired).</summary>
    string? ActiveSession { get; }

    /// <summary>Opens a session valid for <paramref name="lifetime"/> after its last use; null when another one is active.</summary>
    string? OpenSession(TimeSpan lifetime);

    /// <summary>Whether <paramref name="session"/> is the active one; using it refreshes it.</summary>
    bool UseSession(string session, TimeSpan lifetime);

    void CloseSession();

    /// <summary>Pool groups (LuxOS): id, name, quota. Group 0 always exists.</summary>
    IReadOnlyList<(int Id, string Name, int Quota)> Groups { get; }

    int AddGroup(string name, int quota);

    bool SetGroupQuota(int id, int quota);

    /// <summary>Removes an empty group; false when it does not exist, is group 0 or still holds pools.</summary>
    bool RemoveGroup(int id);

    /// <summary>The group of each pool, by pool index.</summary>
    IReadOnlyList<int> PoolGroups { get; }

    /// <summary>Appends a pool in <paramref name="group"/>; returns its index.</summary>
    int AddPool(PoolDefinition pool, int group);
}
