using System.Security.Cryptography;
using CloudMining.Farm.Simulator.Mining;
using CloudMining.Farm.Simulator.Personalities;

namespace CloudMining.Farm.Simulator;

/// <summary>
/// The miner's own state that firmware-specific commands change (see <see cref="IMinerControls"/>): a power level,
/// LuxOS's one session and its pool groups. Sleep and the LED are the fields the web CGI already uses.
/// </summary>
public sealed partial class SimulatedMiner : IMinerControls
{
    private readonly List<(int Id, string Name, int Quota)> _groups = [(0, "Default", 1)];
    private double _powerScale = 1;
    private string? _powerLevel;
    private string? _session;
    private DateTimeOffset _sessionUsedAt;
    private TimeSpan _sessionLifetime;

    DateTimeOffset IMinerControls.Now => _clocks.Mining.GetUtcNow();

    void IMinerControls.CountWrite() => Interlocked.Increment(ref _writeRequests);

    bool IMinerControls.Sleeping
    {
        get => Sleeping;
        set
        {
            lock (_gate)
            {
                AdvanceLocked(_clocks.Mining.GetUtcNow());
                _sleeping = value;
            }
        }
    }

    bool IMinerControls.Locating
    {
        get => Blinking;
        set
        {
            lock (_gate)
            {
                _blinking = value;
            }
        }
    }

    /// <summary>The power preset, profile or level set through the firmware's channel (null: factory default).</summary>
    public string? PowerLevel
    {
        get
        {
            lock (_gate)
            {
                return _powerLevel;
            }
        }
    }

    /// <summary>The share of nominal power and hashrate the power level runs the miner at.</summary>
    public double PowerScale
    {
        get
        {
            lock (_gate)
            {
                return _powerScale;
            }
        }
    }

    void IMinerControls.SetPowerLevel(string? name, double scale)
    {
        lock (_gate)
        {
            AdvanceLocked(_clocks.Mining.GetUtcNow());
            _powerLevel = name;
            _powerScale = Math.Clamp(scale, 0.1, 2);
        }
    }

    /// <summary>LuxOS's active session, or null (none, or expired a lifetime after its last use).</summary>
    public string? ActiveSession
    {
        get
        {
            lock (_gate)
            {
                return ActiveSessionLocked();
            }
        }
    }

    string? IMinerControls.OpenSession(TimeSpan lifetime)
    {
        lock (_gate)
        {
            if (ActiveSessionLocked() is not null)
            {
                return null;
            }

            // LUXminer's ids are 8 letters and digits ("yJN2nlj1").
            _session = RandomNumberGenerator.GetString("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 8);
            _sessionUsedAt = _clocks.Mining.GetUtcNow();
            _sessionLifetime = lifetime;
            return _session;
        }
    }

    bool IMinerControls.UseSession(string session, TimeSpan lifetime)
    {
        lock (_gate)
        {
            if (ActiveSessionLocked() is not { } active || !string.Equals(active, session, StringComparison.Ordinal))
            {
                return false;
            }

            _sessionUsedAt = _clocks.Mining.GetUtcNow();
            _sessionLifetime = lifetime;
            return true;
        }
    }

    void IMinerControls.CloseSession()
    {
        lock (_gate)
        {
            _session = null;
        }
    }

    IReadOnlyList<(int Id, string Name, int Quota)> IMinerControls.Groups
    {
        get
        {
            lock (_gate)
            {
                return [.. _groups];
            }
        }
    }

    int IMinerControls.AddGroup(string name, int quota)
    {
        lock (_gate)
        {
            int id = _groups.Max(g => g.Id) + 1;
            _groups.Add((id, name, quota));
            return id;
        }
    }

    bool IMinerControls.SetGroupQuota(int id, int quota)
    {
        lock (_gate)
        {
            int i = _groups.FindIndex(g => g.Id == id);
            if (i < 0)
            {
                return false;
            }

            AdvanceLocked(_clocks.Mining.GetUtcNow());
            _groups[i] = _groups[i] with { Quota = quota };
            return true;
        }
    }

    bool IMinerControls.RemoveGroup(int id)
    {
        lock (_gate)
        {
            if (id == 0 || _pools.Any(p => p.Group == id))
            {
                return false;
            }

            return _groups.RemoveAll(g => g.Id == id) > 0;
        }
    }

    IReadOnlyList<int> IMinerControls.PoolGroups
    {
        get
        {
            lock (_gate)
            {
                return [.. _pools.Select(p => p.Group)];
            }
        }
    }

    int IMinerControls.AddPool(PoolDefinition pool, int group)
    {
        lock (_gate)
        {
            AdvanceLocked(_clocks.Mining.GetUtcNow());
            int priority = _pools.Count == 0 ? 0 : _pools.Max(p => p.Priority) + 1;
            _pools.Add(new MinerPool(pool, priority) { Group = group });
            _ledger.Touch(pool.Url, pool.User);
            RecomputeActiveLocked();
            return _pools.Count - 1;
        }
    }

    /// <summary>The share of each pool group in the hashrate, by group id (LuxOS splits by group quota).</summary>
    private Dictionary<int, int> GroupQuotasLocked() => _groups.ToDictionary(g => g.Id, g => g.Quota);

    private string? ActiveSessionLocked()
    {
        if (_session is not null && _clocks.Mining.GetUtcNow() - _sessionUsedAt > _sessionLifetime)
        {
            _session = null;
        }

        return _session;
    }

    /// <summary>A restart forgets the session (it lives in the miner software's memory).</summary>
    private void ForgetSessionLocked() => _session = null;
}
