using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using CloudMining.Farm.Shared.Firmware.Channels.Braiins.Wire;
using CloudMining.Farm.Simulator.Mining;
using CloudMining.Farm.Simulator.Wire;
using Grpc.Core;

namespace CloudMining.Farm.Simulator;

/// <summary>
/// Braiins OS+'s public gRPC API as one miner answers it (served for the whole farm by <see cref="Braiins.BraiinsGrpcServer"/>):
/// Login against the miner's login (Spec.WebUser/WebPassword), session tokens that lapse after an hour without a
/// request and at every restart, pool groups (quota or fixed share ratio; failover inside a group) that become the
/// miner's pools and hash split, pause/resume, restart, reboot, the locate LED and the tuner's power target, which
/// moves hashrate and power. Refusals use the API's status codes; a wrong login is UNAUTHENTICATED "Bad credentials".
/// </summary>
public sealed partial class SimulatedMiner
{
    /// <summary>BOS+ sessions expire after this long without a request (the API's documented timeout_s).</summary>
    public static readonly TimeSpan GrpcSessionTimeout = TimeSpan.FromSeconds(3600);

    private readonly Dictionary<string, (DateTimeOffset LastUse, int Boot)> _grpcTokens = new(StringComparer.Ordinal);
    private List<SimPoolGroup>? _poolGroups;
    private double? _powerTargetWatts;
    private long _grpcWrites;
    private long _grpcLoginsRefused;
    private long _grpcRequests;
    private long _groupSerial;
    private long _grpcReplyDelayTicks;

    /// <summary>
    /// How late the gRPC API answers each call, as a busy BOSminer on a loaded controller does (zero: at once). The call
    /// is served after the wait; a client that gave up meanwhile (its deadline) gets nothing and changes nothing.
    /// </summary>
    public TimeSpan GrpcReplyDelay
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _grpcReplyDelayTicks));
        set => Interlocked.Exchange(ref _grpcReplyDelayTicks, value < TimeSpan.Zero ? throw new ArgumentOutOfRangeException(nameof(value), value, "A reply delay is zero or more.") : value.Ticks);
    }

    /// <summary>Where this miner's gRPC API listens (set by the farm's gRPC server), or null when it serves none.</summary>
    public IPEndPoint? GrpcEndPoint { get; internal set; }

    /// <summary>gRPC calls that changed something (pool groups, actions, power target, LED).</summary>
    public long GrpcWritesReceived => Interlocked.Read(ref _grpcWrites);

    /// <summary>Logins refused for a wrong user or password.</summary>
    public long GrpcLoginsRefused => Interlocked.Read(ref _grpcLoginsRefused);

    /// <summary>gRPC calls of any kind that reached this miner.</summary>
    public long GrpcRequestsReceived => Interlocked.Read(ref _grpcRequests);

    /// <summary>The tuner's power target in watts, or null while the firmware's default (the model's nominal power) applies.</summary>
    public double? PowerTargetWatts
    {
        get
        {
            lock (_gate)
            {
                return _powerTargetWatts;
            }
        }
    }

    /// <summary>The power-target range the simulated tuner accepts: 40 % to 120 % of the model's nominal power.</summary>
    public (ulong Min, ulong Default, ulong Max) PowerTargetRange =>
        ((ulong)Math.Round(Model.PowerWatts * 0.4), (ulong)Math.Round(Model.PowerWatts), (ulong)Math.Round(Model.PowerWatts * 1.2));

    /// <summary>The pool groups as (name, quota, ratio, pools in order), or empty outside pool groups.</summary>
    public IReadOnlyList<(string Name, uint? Quota, double? Ratio, IReadOnlyList<string> Pools)> PoolGroupsSummary
    {
        get
        {
            lock (_gate)
            {
                return _poolGroups is null ? [] : [.. _poolGroups.Select(g => (g.Name, g.Quota, g.Ratio,
                    (IReadOnlyList<string>)[.. _pools.Where(p => p.GroupUid == g.Uid).OrderBy(p => p.Priority).Select(p => p.Url + " " + p.User)]))];
            }
        }
    }

    /// <summary>
    /// The hashrate factor of the tuner: the chips are clocked so that power lands near the target
    /// (power ≈ nominal × (0.06 + 0.94 × load) in the view), 1 without a target.
    /// </summary>
    private double TuneFactor => _powerTargetWatts is { } target ? Math.Clamp(((target / Model.PowerWatts) - 0.06) / 0.94, 0.05, 1.3) : 1;

    internal void CountGrpcRequest()
    {
        Interlocked.Increment(ref _grpcRequests);
        lock (_gate)
        {
            if (_state != MinerPowerState.Running || _networkFault?.Kind == CloudMining.Farm.Simulator.Faults.FaultKind.Refuse)
            {
                throw new RpcException(new Status(StatusCode.Unavailable, "connection refused"));
            }
        }
    }

    /// <summary>MinerService/GetMinerDetails (after the token check): uid, hostname, MAC, uptimes and the unit's serial_number.</summary>
    internal GetMinerDetailsResponse GrpcMinerDetails()
    {
        lock (_gate)
        {
            DateTimeOffset now = _clocks.Mining.GetUtcNow();
            ulong up = (ulong)Math.Max(0, (now - _bootedAt).TotalSeconds);
            return new GetMinerDetailsResponse
            {
                Uid = Identity.ControlBoardId.Length > 0 ? Identity.ControlBoardId : Id,
                Hostname = Id,
                MacAddress = Identity.Mac,
                BosminerUptimeS = up,
                SystemUptimeS = up,
                KernelVersion = "5.10.0",
                SerialNumber = Identity.Serial,
            };
        }
    }

    internal LoginResponse GrpcLogin(string user, string password)
    {
        lock (_gate)
        {
            if (!string.Equals(user, Spec.WebUser, StringComparison.Ordinal) || !string.Equals(password, Spec.WebPassword, StringComparison.Ordinal))
            {
                Interlocked.Increment(ref _grpcLoginsRefused);
                throw new RpcException(new Status(StatusCode.Unauthenticated, "Bad credentials"));
            }

            string token = Convert.ToBase64String(RandomNumberGenerator.GetBytes(12)).Replace('+', 'a').Replace('/', 'b');
            _grpcTokens[token] = (_clocks.Mining.GetUtcNow(), BootCount);
            return new LoginResponse { Token = token, TimeoutS = (uint)GrpcSessionTimeout.TotalSeconds };
        }
    }

    /// <summary>Checks the session token of a call and renews it; a missing, unknown or lapsed token is UNAUTHENTICATED.</summary>
    internal void GrpcAuthorize(string? token)
    {
        lock (_gate)
        {
            DateTimeOffset now = _clocks.Mining.GetUtcNow();
            if (string.IsNullOrEmpty(token))
            {
                throw new RpcException(new Status(StatusCode.Unauthenticated, "Missing authorization token"));
            }

            if (!_grpcTokens.TryGetValue(token, out (DateTimeOffset LastUse, int Boot) session) || session.Boot != BootCount || now - session.LastUse > GrpcSessionTimeout)
            {
                _grpcTokens.Remove(token);
                throw new RpcException(new Status(StatusCode.Unauthenticated, "Invalid or expired token"));
            }

            _grpcTokens[token] = (now, session.Boot);
        }
    }

    /// <summary>Pause (true) or resume mining; returns whether it already was in that state.</summary>
    internal bool GrpcPause(bool pause)
    {
        Interlocked.Increment(ref _grpcWrites);
        lock (_gate)
        {
            AdvanceLocked(_clocks.Mining.GetUtcNow());
            bool already = _sleeping == pause;
            _sleeping = pause;
            return already;
        }
    }

    internal bool GrpcSetLocate(bool enable)
    {
        Interlocked.Increment(ref _grpcWrites);
        lock (_gate)
        {
            _blinking = enable;
            return _blinking;
        }
    }

    internal void CountGrpcWrite() => Interlocked.Increment(ref _grpcWrites);

    internal GetPoolGroupsResponse GrpcPoolGroups()
    {
        lock (_gate)
        {
            AdvanceLocked(_clocks.Mining.GetUtcNow());
            var response = new GetPoolGroupsResponse();
            foreach (SimPoolGroup g in GroupsLocked())
            {
                var group = new PoolGroup { Uid = g.Uid, Name = g.Name };
                if (g.Ratio is { } ratio)
                {
                    group.FixedShareRatio = new FixedShareRatio { Value = ratio };
                }
                else
                {
                    group.Quota = new Quota { Value = g.Quota ?? 1 };
                }

                foreach (MinerPool p in _pools.Where(p => g.Uid == (p.GroupUid ?? DefaultGroupUid)).OrderBy(p => p.Priority))
                {
                    group.Pools.Add(new Pool
                    {
                        Uid = PoolUid(p), Url = p.Url, User = p.User, Enabled = p.Enabled, Alive = _ledger.IsAlive(p.Url), Active = p.Active,
                    });
                }

                response.PoolGroups.Add(group);
            }

            return response;
        }
    }

    /// <summary>SetPoolGroups: every group replaced; the groups' pools become the miner's pools (groups in order, pools in order inside).</summary>
    internal SetPoolGroupsResponse GrpcSetPoolGroups(SetPoolGroupsRequest request)
    {
        Interlocked.Increment(ref _grpcWrites);
        if (request.PoolGroups.Count == 0)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "At least one pool group is required"));
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        double ratios = 0;
        foreach (PoolGroupConfiguration g in request.PoolGroups)
        {
            if (string.IsNullOrWhiteSpace(g.Name) || !names.Add(g.Name))
            {
                throw new RpcException(new Status(StatusCode.InvalidArgument, $"Pool group name '{g.Name}' is empty or used twice"));
            }

            if (g.HasUid)
            {
                throw new RpcException(new Status(StatusCode.InvalidArgument, "Pool group uid must not be specified"));
            }

            if (g.LoadBalanceStrategyCase == PoolGroupConfiguration.LoadBalanceStrategyOneofCase.Quota && g.Quota.Value < 1)
            {
                throw new RpcException(new Status(StatusCode.InvalidArgument, $"Quota of pool group '{g.Name}' must be at least 1"));
            }

            if (g.LoadBalanceStrategyCase == PoolGroupConfiguration.LoadBalanceStrategyOneofCase.FixedShareRatio)
            {
                if (g.FixedShareRatio.Value is <= 0 or > 1)
                {
                    throw new RpcException(new Status(StatusCode.InvalidArgument, $"Fixed share ratio of pool group '{g.Name}' must be in (0, 1]"));
                }

                ratios += g.FixedShareRatio.Value;
            }

            if (g.Pools.Count == 0)
            {
                throw new RpcException(new Status(StatusCode.InvalidArgument, $"Pool group '{g.Name}' has no pool"));
            }

            if (g.Pools.FirstOrDefault(p => string.IsNullOrWhiteSpace(p.Url) || string.IsNullOrWhiteSpace(p.User)) is not null)
            {
                throw new RpcException(new Status(StatusCode.InvalidArgument, $"Every pool of group '{g.Name}' needs a URL and a user"));
            }
        }

        if (ratios > 1 + 1e-9)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "Fixed share ratios add up to more than 1"));
        }

        lock (_gate)
        {
            AdvanceLocked(_clocks.Mining.GetUtcNow());
            var groups = new List<SimPoolGroup>();
            var next = new List<MinerPool>();
            var response = new SetPoolGroupsResponse();
            int order = 0;
            for (int gi = 0; gi < request.PoolGroups.Count; gi++)
            {
                PoolGroupConfiguration g = request.PoolGroups[gi];
                string uid = string.Create(CultureInfo.InvariantCulture, $"{Id}-group-{++_groupSerial}");
                bool ratio = g.LoadBalanceStrategyCase == PoolGroupConfiguration.LoadBalanceStrategyOneofCase.FixedShareRatio;
                var group = new SimPoolGroup(uid, g.Name, ratio ? null : (g.LoadBalanceStrategyCase == PoolGroupConfiguration.LoadBalanceStrategyOneofCase.Quota ? g.Quota.Value : 1u), ratio ? g.FixedShareRatio.Value : null);
                groups.Add(group);
                var echoed = new PoolGroupConfiguration { Uid = uid, Name = g.Name };
                if (group.Ratio is { } r)
                {
                    echoed.FixedShareRatio = new FixedShareRatio { Value = r };
                }
                else
                {
                    echoed.Quota = new Quota { Value = group.Quota!.Value };
                }

                foreach (PoolConfiguration p in g.Pools)
                {
                    string password = p.HasPassword ? p.Password : string.Empty;
                    // A pool kept as it was keeps its counters; a changed password makes it a new pool entry.
                    MinerPool pool = _pools.FirstOrDefault(x => x.Url == p.Url && x.User == p.User && x.Password == password && !next.Contains(x))
                        ?? new MinerPool(new PoolDefinition(p.Url, p.User, password), order);
                    pool.Priority = order++;
                    pool.Enabled = !p.HasEnabled || p.Enabled;
                    pool.GroupUid = uid;
                    pool.Quota = group.Ratio is { } share ? (int)Math.Round(share * 100) : (int)group.Quota!.Value;
                    next.Add(pool);
                    echoed.Pools.Add(new PoolConfiguration { Uid = PoolUid(pool), Url = pool.Url, User = pool.User, Enabled = pool.Enabled });
                }

                response.PoolGroups.Add(echoed);
            }

            _pools.Clear();
            _pools.AddRange(next);
            _poolGroups = groups;
            foreach (MinerPool p in _pools)
            {
                _ledger.Touch(p.Url, p.User);
            }

            RecomputeActiveLocked();
            return response;
        }
    }

    internal SetPowerTargetResponse GrpcSetPowerTarget(SetPowerTargetRequest request)
    {
        Interlocked.Increment(ref _grpcWrites);
        (ulong min, _, ulong max) = PowerTargetRange;
        ulong watts = request.PowerTarget?.Watt ?? 0;
        if (watts < min || watts > max)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument,
                string.Create(CultureInfo.InvariantCulture, $"Power target {watts} W is out of range {min} W - {max} W")));
        }

        lock (_gate)
        {
            AdvanceLocked(_clocks.Mining.GetUtcNow());
            _powerTargetWatts = watts;
        }

        return new SetPowerTargetResponse { PowerTarget = new Shared.Firmware.Channels.Braiins.Wire.Power { Watt = watts } };
    }

    internal GetTunerStateResponse GrpcTunerState()
    {
        ulong current = (ulong)Math.Round(PowerTargetWatts ?? PowerTargetRange.Default);
        return new GetTunerStateResponse { PowerTargetModeState = new PowerTargetModeState { CurrentTarget = new Shared.Firmware.Channels.Braiins.Wire.Power { Watt = current } } };
    }

    internal GetConstraintsResponse GrpcConstraints()
    {
        (ulong min, ulong def, ulong max) = PowerTargetRange;
        return new GetConstraintsResponse
        {
            TunerConstraints = new TunerConstraints
            {
                PowerTarget = new PowerConstraints
                {
                    Default = new Shared.Firmware.Channels.Braiins.Wire.Power { Watt = def },
                    Min = new Shared.Firmware.Channels.Braiins.Wire.Power { Watt = min },
                    Max = new Shared.Firmware.Channels.Braiins.Wire.Power { Watt = max },
                },
            },
        };
    }

    /// <summary>BOSminer's cgminer API: "pause" and "resume" are its only commands that change anything.</summary>
    private ApiReply PauseFromRpc(bool pause)
    {
        lock (_gate)
        {
            AdvanceLocked(_clocks.Mining.GetUtcNow());
            _sleeping = pause;
        }

        MinerView view = Snapshot();
        string section = pause ? "PAUSE" : "RESUME";
        return new ApiReply(new ApiStatus("S", pause ? 1100 : 1101, pause ? "Pause" : "Resume", Personality.Description(view)), view.When,
            new ApiSection(section, [new ApiObject(1).Add(section, true)], false));
    }

    private const string DefaultGroupUid = "default";

    /// <summary>A permissive miner's cgminer pool command works on the plain pool list: the pool groups are gone.</summary>
    private void LeavePoolGroupsLocked()
    {
        if (_poolGroups is null)
        {
            return;
        }

        _poolGroups = null;
        foreach (MinerPool p in _pools)
        {
            p.GroupUid = null;
        }
    }

    /// <summary>The groups as the API shows them: the configured ones, or one "Default" group holding the pools the miner started with.</summary>
    private List<SimPoolGroup> GroupsLocked() => _poolGroups ?? [new SimPoolGroup(DefaultGroupUid, "Default", 1, null)];

    /// <summary>
    /// The hash split between pool groups: a fixed-share-ratio group gets its ratio, the quota groups share the rest in
    /// proportion to their quotas; inside a group the first usable pool in order gets the group's part (failover).
    /// </summary>
    private void GroupWeightsLocked(double[] weights)
    {
        var chosen = new List<(int Index, SimPoolGroup Group)>();
        foreach (SimPoolGroup g in _poolGroups!)
        {
            int best = -1;
            for (int i = 0; i < _pools.Count; i++)
            {
                if (_pools[i].GroupUid == g.Uid && IsUsable(_pools[i]) && (best < 0 || _pools[i].Priority < _pools[best].Priority))
                {
                    best = i;
                }
            }

            if (best >= 0)
            {
                chosen.Add((best, g));
            }
        }

        double ratioSum = chosen.Sum(c => c.Group.Ratio ?? 0);
        double quotaSum = chosen.Sum(c => c.Group.Ratio is null ? (double)(c.Group.Quota ?? 1) : 0);
        double rest = Math.Max(0, 1 - ratioSum);
        double total = 0;
        foreach ((int index, SimPoolGroup g) in chosen)
        {
            double w = g.Ratio ?? (quotaSum > 0 ? rest * (g.Quota ?? 1) / quotaSum : 0);
            weights[index] = w;
            total += w;
        }

        foreach ((int index, _) in chosen)
        {
            if (total > 0)
            {
                weights[index] /= total;
                _pools[index].Active = weights[index] > 0;
            }
        }
    }

    private static string PoolUid(MinerPool p) =>
        Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(p.Url + "\n" + p.User)))[..16];

    private sealed record SimPoolGroup(string Uid, string Name, uint? Quota, double? Ratio);
}
