using System.Globalization;
using System.Net;
using System.Text;
using CloudMining.Farm.Shared.MinerApi;
using CloudMining.Farm.Simulator.Faults;
using CloudMining.Farm.Simulator.Mining;
using CloudMining.Farm.Simulator.Network;
using CloudMining.Farm.Simulator.Personalities;
using CloudMining.Farm.Simulator.Wire;
using ApiReply = CloudMining.Farm.Simulator.Wire.ApiReply;
using ApiStatus = CloudMining.Farm.Simulator.Wire.ApiStatus;

namespace CloudMining.Farm.Simulator;

/// <summary>One simulated ASIC: its hardware dynamics, pools and shares, faults, power, and the API listener that answers like its firmware.</summary>
public sealed class SimulatedMiner : IAsyncDisposable
{
    private const double WindowSeconds = 5;
    private const int MaxWindowsPerAdvance = 50_000;

    private readonly Lock _gate = new();
    private readonly FarmClocks _clocks;
    private readonly PoolLedger _ledger;
    private readonly MinerListener _listener;
    private readonly List<MinerPool> _pools;
    private readonly Board[] _boards;
    private readonly HashSet<int> _lostBoards = [];
    private MinerFault? _networkFault;
    private double _hashrateFactor = 1;
    private double _ambient;
    private MinerPowerState _state = MinerPowerState.Off;
    private DateTimeOffset _bootedAt;
    private DateTimeOffset _lastUpdate;
    private int _fanDuty = 60;
    private ITimer? _bootTimer;
    private long _bootGeneration;
    private CancellationTokenSource _hangRelease = new();
    private bool _disposed;
    private long _requests;

    internal SimulatedMiner(MinerSpec spec, FirmwarePersonality personality, FarmClocks clocks, PoolLedger ledger)
    {
        Spec = spec;
        Personality = personality;
        Model = personality.FindModel(spec.Model);
        _clocks = clocks;
        _ledger = ledger;
        _pools = spec.Pools.Select((p, i) => new MinerPool(p, i)).ToList();
        foreach (MinerPool p in _pools)
        {
            ledger.Touch(p.Url, p.User);
        }

        _boards = Enumerable.Range(0, Model.Boards).Select(_ => new Board()).ToArray();
        Identity = BuildIdentity(spec, personality, Model);
        _ambient = spec.AmbientCelsius;
        _listener = new MinerListener(this, new IPEndPoint(spec.Address, spec.Port));
    }

    public string Id => Spec.Id;

    public MinerSpec Spec { get; }

    public FirmwarePersonality Personality { get; }

    public string Firmware => Personality.Name;

    public MinerModel Model { get; }

    public MinerIdentityInfo Identity { get; }

    /// <summary>The address and port the API listens on (the real port when the spec asked for 0).</summary>
    public IPEndPoint ListenEndPoint => _listener.EndPoint;

    /// <summary>The same, as the shared contract type the agent's poller takes.</summary>
    public MinerEndpoint Endpoint => new(ListenEndPoint.Address.ToString(), ListenEndPoint.Port);

    public MinerPowerState PowerState
    {
        get
        {
            lock (_gate)
            {
                return _state;
            }
        }
    }

    /// <summary>Requests read off the wire so far (whatever the fault made of them); lets tests wait until a request has arrived.</summary>
    public long RequestsReceived => Interlocked.Read(ref _requests);

    /// <summary>Times the API came up (initial start, each power-on and each restart).</summary>
    public int BootCount { get; private set; }

    /// <summary>Faults now in force.</summary>
    public IReadOnlyList<MinerFault> Faults
    {
        get
        {
            lock (_gate)
            {
                var list = new List<MinerFault>();
                if (_networkFault is not null)
                {
                    list.Add(_networkFault);
                }

                list.AddRange(_lostBoards.Order().Select(MinerFault.BoardLost));
                if (_hashrateFactor < 1)
                {
                    list.Add(MinerFault.HashrateDrop(_hashrateFactor * 100));
                }

                return list;
            }
        }
    }

    internal MinerFault? NetworkFault
    {
        get
        {
            lock (_gate)
            {
                return _networkFault;
            }
        }
    }

    internal CancellationToken HangReleased
    {
        get
        {
            lock (_gate)
            {
                return _hangRelease.Token;
            }
        }
    }

    internal FarmClocks Clocks => _clocks;

    internal async Task StartAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        DateTimeOffset now = _clocks.Mining.GetUtcNow();
        lock (_gate)
        {
            _lastUpdate = now;
            if (Spec.PoweredOnAtStart)
            {
                BootLocked(now);
                SettleTemperaturesLocked();
            }
        }

        if (Spec.PoweredOnAtStart)
        {
            _listener.Start();
        }
        else
        {
            _listener.Reserve();
        }

        await Task.CompletedTask;
    }

    /// <summary>Cuts or restores power, as the relay in front of the miner would. Off: nothing listens. On: refused for BootDelay, then answers with uptime from 0 and counters reset.</summary>
    public void SetPower(bool on)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            DateTimeOffset now = _clocks.Mining.GetUtcNow();
            if (!on)
            {
                if (_state == MinerPowerState.Off)
                {
                    return;
                }

                AdvanceLocked(now);
                _state = MinerPowerState.Off;
                CancelBootLocked();
                ReleaseHangsLocked();
                _listener.Stop();
                return;
            }

            if (_state != MinerPowerState.Off)
            {
                return;
            }

            BeginBootLocked(now, Spec.BootDelay);
        }
    }

    /// <summary>Puts a fault in force. Network faults replace each other; board losses add up; a hashrate drop replaces the previous drop.</summary>
    public void InjectFault(MinerFault fault)
    {
        ArgumentNullException.ThrowIfNull(fault);
        lock (_gate)
        {
            AdvanceLocked(_clocks.Mining.GetUtcNow());
            switch (fault.Kind)
            {
                case FaultKind.BoardLost:
                    if (fault.Board < 0 || fault.Board >= _boards.Length)
                    {
                        throw new ArgumentOutOfRangeException(nameof(fault), fault.Board, $"{Id} has boards 0..{_boards.Length - 1}; pick one of those.");
                    }

                    _lostBoards.Add(fault.Board);
                    break;
                case FaultKind.HashrateDrop:
                    if (fault.Percent is < 0 or > 100)
                    {
                        throw new ArgumentOutOfRangeException(nameof(fault), fault.Percent, "A hashrate drop is a percentage of nominal from 0 to 100.");
                    }

                    _hashrateFactor = fault.Percent / 100.0;
                    break;
                case FaultKind.Slow when fault.DelayMs < 0:
                    throw new ArgumentOutOfRangeException(nameof(fault), fault.DelayMs, "A slow reply needs a delay of 0 ms or more.");
                default:
                    ReleaseHangsLocked();
                    _networkFault = fault;
                    break;
            }

            ReconcileListenerLocked();
        }
    }

    /// <summary>Intake air temperature, °C; chips and boards drift toward it plus their load rise (rack fans or a hot aisle change it).</summary>
    public double AmbientCelsius
    {
        get
        {
            lock (_gate)
            {
                return _ambient;
            }
        }

        set
        {
            if (!double.IsFinite(value) || value is < -40 or > 80)
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "Ambient must be a temperature between -40 and 80 °C.");
            }

            lock (_gate)
            {
                AdvanceLocked(_clocks.Mining.GetUtcNow());
                _ambient = value;
            }
        }
    }

    /// <summary>Clears every fault: the miner answers normally again with all boards and full hashrate.</summary>
    public void ClearFaults()
    {
        lock (_gate)
        {
            AdvanceLocked(_clocks.Mining.GetUtcNow());
            _networkFault = null;
            _lostBoards.Clear();
            _hashrateFactor = 1;
            ReleaseHangsLocked();
            ReconcileListenerLocked();
        }
    }

    /// <summary>The miner as its firmware would describe it now (advances the simulation to the clock's now).</summary>
    public MinerView Snapshot()
    {
        lock (_gate)
        {
            DateTimeOffset now = _clocks.Mining.GetUtcNow();
            AdvanceLocked(now);
            return ViewLocked(now);
        }
    }

    /// <summary>Renders the reply to raw request bytes, as the wire would carry it (used by the listener; handy in benchmarks).</summary>
    public byte[] Respond(ReadOnlySpan<byte> request) => Respond(request, out _);

    internal byte[] Respond(ReadOnlySpan<byte> request, out bool restartAfterReply)
    {
        ApiRequest parsed = ApiRequestParser.Parse(request);
        restartAfterReply = false;
        string text;
        if (parsed.IsJson && parsed.IsMulti)
        {
            var parts = new List<KeyValuePair<string, ApiReply>>(parsed.Commands.Count);
            foreach (string command in parsed.Commands)
            {
                parts.Add(new(command, Execute(command, parsed.Parameter, ref restartAfterReply)));
            }

            text = ReplyRenderer.JsonMulti(parts);
        }
        else
        {
            ApiReply reply = parsed.Error switch
            {
                ApiRequestError.InvalidJson => Error(CgminerCodes.InvalidJson, "Invalid JSON"),
                ApiRequestError.MissingCommand => Error(CgminerCodes.MissingCommand, "Missing JSON 'command'"),
                _ when parsed.Commands.Count != 1 => Error(CgminerCodes.InvalidCommand, "Invalid command"),
                _ => Execute(parsed.Commands[0], parsed.Parameter, ref restartAfterReply),
            };
            text = parsed.IsJson ? ReplyRenderer.Json(reply) : ReplyRenderer.Plain(reply);
        }

        int length = Encoding.UTF8.GetByteCount(text);
        byte[] bytes = new byte[length + (Personality.TrailingNul ? 1 : 0)];
        Encoding.UTF8.GetBytes(text, bytes);
        return bytes;
    }

    /// <summary>Restarts the miner software as the "restart" command does: API gone for RestartDelay, then uptime and counters from zero.</summary>
    public void Restart()
    {
        lock (_gate)
        {
            if (_state != MinerPowerState.Running)
            {
                return;
            }

            AdvanceLocked(_clocks.Mining.GetUtcNow());
            ReleaseHangsLocked();
            _listener.Stop();
            BeginBootLocked(_clocks.Mining.GetUtcNow(), Spec.RestartDelay);
        }
    }

    public async ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            CancelBootLocked();
            ReleaseHangsLocked();
        }

        await _listener.DisposeAsync();
        _hangRelease.Dispose();
    }

    private ApiReply Execute(string command, string? parameter, ref bool restartAfterReply)
    {
        if (PoolCommands.IsPrivileged(command) || Personality.ExtraPrivilegedCommands.Contains(command))
        {
            if (!Spec.WriteAccess || !Personality.AcceptsCgminerWrites)
            {
                return Error(CgminerCodes.AccessDenied, $"Access denied to '{command}' command");
            }

            ApiReply? special = Personality.Write(command, parameter, Snapshot(), out bool restart);
            if (special is not null)
            {
                restartAfterReply |= restart;
                return special;
            }

            if (command == "restart")
            {
                restartAfterReply = true;
                return ApiReply.ForAction("RESTART");
            }

            if (command == "privileged")
            {
                return Reply("S", CgminerCodes.AccessOk, "Privileged access OK");
            }

            if (command == "poolquota" && !Personality.SupportsQuota)
            {
                return Error(CgminerCodes.InvalidCommand, "Invalid command");
            }

            string? normalized = Personality.NormalizeWriteParameter(command, parameter);
            lock (_gate)
            {
                AdvanceLocked(_clocks.Mining.GetUtcNow());
                (string severity, int code, string msg) = PoolCommands.Apply(command, normalized, _pools, this);
                foreach (MinerPool p in _pools)
                {
                    _ledger.Touch(p.Url, p.User);
                }

                RecomputeActiveLocked();
                return Reply(severity, code, msg);
            }
        }

        MinerView view = Snapshot();
        return Personality.Read(command, parameter, view) ?? Error(CgminerCodes.InvalidCommand, "Invalid command");
    }

    private ApiReply Error(int code, string msg) => Reply("E", code, msg);

    private ApiReply Reply(string severity, int code, string msg)
    {
        MinerView view = Snapshot();
        return new ApiReply(new ApiStatus(severity, code, msg, Personality.Description(view)), view.When);
    }

    internal void CountRequest() => Interlocked.Increment(ref _requests);

    internal void OnReplySent(bool restart)
    {
        if (restart)
        {
            Restart();
        }
    }

    private double DifficultyFor(MinerPool pool) => _ledger.ShareDifficulty(pool.Url) ?? Spec.ShareDifficulty;

    internal bool IsUsable(MinerPool pool) => pool.Enabled && _ledger.IsAlive(pool.Url);

    private void BeginBootLocked(DateTimeOffset now, TimeSpan delay)
    {
        _state = MinerPowerState.Booting;
        _lastUpdate = now;
        CancelBootLocked();
        long generation = ++_bootGeneration;
        if (delay <= TimeSpan.Zero)
        {
            CompleteBootLocked(generation);
            return;
        }

        _bootTimer = _clocks.Mining.CreateTimer(_ => CompleteBoot(generation), null, delay, Timeout.InfiniteTimeSpan);
    }

    private void CompleteBoot(long generation)
    {
        lock (_gate)
        {
            CompleteBootLocked(generation);
        }
    }

    private void CompleteBootLocked(long generation)
    {
        if (_disposed || _state != MinerPowerState.Booting || generation != _bootGeneration)
        {
            return;
        }

        BootLocked(_clocks.Mining.GetUtcNow());
        ReconcileListenerLocked();
    }

    private void BootLocked(DateTimeOffset now)
    {
        _state = MinerPowerState.Running;
        _bootedAt = now;
        _lastUpdate = now;
        BootCount++;
        foreach (MinerPool pool in _pools)
        {
            pool.ResetCounters();
        }

        foreach (Board board in _boards)
        {
            board.TotalHashes = 0;
            board.HardwareErrors = 0;
            board.ChipTemp = _ambient;
            board.BoardTemp = _ambient;
        }

        RecomputeActiveLocked();
    }

    private void CancelBootLocked()
    {
        _bootTimer?.Dispose();
        _bootTimer = null;
    }

    private void ReleaseHangsLocked()
    {
        CancellationTokenSource old = _hangRelease;
        _hangRelease = new CancellationTokenSource();
        old.Cancel();
        old.Dispose();
    }

    private void ReconcileListenerLocked()
    {
        bool shouldListen = !_disposed && _state == MinerPowerState.Running && _networkFault?.Kind != FaultKind.Refuse;
        if (shouldListen)
        {
            _listener.Start();
        }
        else
        {
            _listener.Stop();
        }
    }

    /// <summary>Marks which pools get work now and returns each pool's share of the hashrate (all zero when no pool is usable).</summary>
    private double[] RecomputeActiveLocked()
    {
        double[] weights = new double[_pools.Count];
        MinerPool? best = null;
        int bestIndex = -1;
        double quotaSum = 0;
        bool[] wasActive = _pools.Select(p => p.Active).ToArray();
        for (int i = 0; i < _pools.Count; i++)
        {
            MinerPool p = _pools[i];
            p.Active = false;
            if (!IsUsable(p))
            {
                continue;
            }

            quotaSum += Math.Max(0, p.Quota);
            if (best is null || p.Priority < best.Priority)
            {
                best = p;
                bestIndex = i;
            }
        }

        if (Spec.Strategy == PoolStrategy.LoadBalance && Personality.SupportsQuota && quotaSum > 0)
        {
            for (int i = 0; i < _pools.Count; i++)
            {
                MinerPool p = _pools[i];
                if (IsUsable(p) && p.Quota > 0)
                {
                    weights[i] = p.Quota / quotaSum;
                    p.Active = true;
                }
            }
        }
        else if (best is not null)
        {
            weights[bestIndex] = 1;
            best.Active = true;
        }

        for (int i = 0; i < _pools.Count; i++)
        {
            if (wasActive[i] && !_pools[i].Active)
            {
                _pools[i].DropPartialWork();
            }
        }

        return weights;
    }

    private double BoardRate(int board, long window, bool hasWork)
    {
        if (!hasWork || _lostBoards.Contains(board))
        {
            return 0;
        }

        double nominal = Model.NominalHashesPerSecond / Model.Boards;
        double noise = Spec.NoisePercent / 100.0 * DeterministicNoise.Symmetric(Spec.Seed, board, window);
        return nominal * _hashrateFactor * (1 + noise);
    }

    private void AdvanceLocked(DateTimeOffset now)
    {
        if (_state != MinerPowerState.Running)
        {
            _lastUpdate = now;
            return;
        }

        if (now <= _lastUpdate)
        {
            return;
        }

        double[] weights = RecomputeActiveLocked();
        bool hasWork = weights.Any(w => w > 0);
        double t = (_lastUpdate - _bootedAt).TotalSeconds;
        double t1 = (now - _bootedAt).TotalSeconds;
        double dt = t1 - t;
        long window = (long)Math.Floor(t / WindowSeconds);
        double hashes = 0;
        int steps = 0;
        while (t < t1)
        {
            if (++steps > MaxWindowsPerAdvance)
            {
                // A clock jump of days: the noise averages out, so integrate the rest at the noiseless rate.
                for (int b = 0; b < _boards.Length; b++)
                {
                    double rate = hasWork && !_lostBoards.Contains(b) ? Model.NominalHashesPerSecond / Model.Boards * _hashrateFactor : 0;
                    double h = rate * (t1 - t);
                    _boards[b].TotalHashes += h;
                    hashes += h;
                }

                break;
            }

            double end = Math.Min(t1, (window + 1) * WindowSeconds);
            double length = end - t;
            for (int b = 0; b < _boards.Length; b++)
            {
                double h = BoardRate(b, window, hasWork) * length;
                _boards[b].TotalHashes += h;
                hashes += h;
            }

            t = end;
            window++;
        }

        for (int i = 0; i < _pools.Count; i++)
        {
            if (weights[i] > 0)
            {
                _pools[i].AddHashes(hashes * weights[i], now, DifficultyFor(_pools[i]), Spec.RejectRate, Spec.StaleRate, _ledger);
            }
        }

        UpdateThermalsLocked(dt, hasWork);
        _lastUpdate = now;
    }

    private double LoadFraction(int board, bool hasWork) =>
        !hasWork || _lostBoards.Contains(board) ? 0 : _hashrateFactor;

    private void UpdateThermalsLocked(double dt, bool hasWork)
    {
        double alpha = 1 - Math.Exp(-dt / 45.0);
        double maxChip = _ambient;
        for (int b = 0; b < _boards.Length; b++)
        {
            double load = LoadFraction(b, hasWork);
            double targetChip = _ambient + (42 * load * (1.25 - (0.5 * _fanDuty / 100.0)));
            double targetBoard = _ambient + (0.55 * (targetChip - _ambient));
            Board board = _boards[b];
            board.ChipTemp += (targetChip - board.ChipTemp) * alpha;
            board.BoardTemp += (targetBoard - board.BoardTemp) * alpha;
            board.HardwareErrors += Spec.HardwareErrorsPerBoardHour / 3600.0 * dt * load;
            if (!_lostBoards.Contains(b))
            {
                maxChip = Math.Max(maxChip, board.ChipTemp);
            }
        }

        _fanDuty = (int)Math.Round(Math.Clamp(30 + ((maxChip - 60) * 3.5), 25, 100));
    }

    private void SettleTemperaturesLocked()
    {
        // Start warm, as a miner that has been running, so the first replies look like a live farm.
        for (int i = 0; i < 30; i++)
        {
            UpdateThermalsLocked(600, hasWork: true);
        }

        foreach (Board board in _boards)
        {
            board.HardwareErrors = 0;
        }
    }

    private MinerView ViewLocked(DateTimeOffset now)
    {
        bool running = _state == MinerPowerState.Running;
        double elapsed = running ? Math.Max(0, (now - _bootedAt).TotalSeconds) : 0;
        double[] weights = running ? RecomputeActiveLocked() : new double[_pools.Count];
        bool hasWork = weights.Any(w => w > 0);
        long window = (long)Math.Floor(elapsed / WindowSeconds);
        var boards = new BoardView[_boards.Length];
        for (int b = 0; b < _boards.Length; b++)
        {
            Board board = _boards[b];
            bool alive = !_lostBoards.Contains(b);
            double h5 = BoardRate(b, window, hasWork);
            double av = elapsed >= 1 ? board.TotalHashes / elapsed : h5;
            boards[b] = new BoardView(
                b,
                alive,
                alive ? Model.ChipsPerBoard : 0,
                h5,
                av,
                alive ? Model.NominalHashesPerSecond / Model.Boards : 0,
                // Sensors read with a little jitter per 5-second window, deterministic like the hashrate noise.
                alive ? Math.Round(board.ChipTemp + (0.6 * DeterministicNoise.Symmetric(Spec.Seed, 100 + b, window)), 1) : 0,
                alive ? Math.Round(board.BoardTemp + (0.4 * DeterministicNoise.Symmetric(Spec.Seed, 200 + b, window)), 1) : 0,
                (long)board.HardwareErrors,
                Identity.BoardSerials[b],
                board.TotalHashes);
        }

        var fans = new int[Model.Fans];
        for (int f = 0; f < fans.Length; f++)
        {
            double rpm = !running ? 0 : Model.MaxFanRpm * _fanDuty / 100.0 * (1 + (0.02 * ((f % 3) - 1)) + (0.01 * DeterministicNoise.Symmetric(Spec.Seed, 300 + f, window)));
            fans[f] = (int)(Math.Round(rpm / 30.0) * 30);
        }

        double meanLoad = Enumerable.Range(0, _boards.Length).Average(b => LoadFraction(b, hasWork));
        double power = !running ? 0 : Model.PowerWatts * (0.06 + (0.94 * meanLoad)) * (0.97 + (0.03 * _fanDuty / 100.0));
        var pools = new PoolView[_pools.Count];
        for (int i = 0; i < _pools.Count; i++)
        {
            MinerPool p = _pools[i];
            pools[i] = new PoolView(i, p.Url, p.User, p.Priority, p.Quota, p.Enabled, _ledger.IsAlive(p.Url), p.Active,
                p.Accepted, p.Rejected, p.Stale, p.Getworks, p.Diff1, DifficultyFor(p), p.LastShareAt, p.LastShareDifficulty,
                p.DifficultyAccepted, p.DifficultyRejected, p.DifficultyStale);
        }

        return new MinerView(Id, Model, Identity, now, (long)elapsed, boards, fans, _fanDuty, Math.Round(power), _ambient, pools, Spec.Strategy);
    }

    private static MinerIdentityInfo BuildIdentity(MinerSpec spec, FirmwarePersonality personality, MinerModel model)
    {
        ulong mac = DeterministicNoise.Hash(spec.Seed, 1001, 0);
        // 02: locally administered, so a simulated MAC can never collide with a vendor's.
        string macText = string.Create(CultureInfo.InvariantCulture,
            $"02:{(byte)(mac >> 32):X2}:{(byte)(mac >> 24):X2}:{(byte)(mac >> 16):X2}:{(byte)(mac >> 8):X2}:{(byte)mac:X2}");
        string serial = DeterministicNoise.Hash(spec.Seed, 1002, 0).ToString("x16", CultureInfo.InvariantCulture);
        string[] boardSerials = Enumerable.Range(0, model.Boards)
            .Select(b => personality.BoardSerial(DeterministicNoise.Hash(spec.Seed, 1003, b), b))
            .ToArray();
        return new MinerIdentityInfo(macText, serial, boardSerials, personality.FirmwareVersion(model));
    }

    private sealed class Board
    {
        public double TotalHashes;
        public double HardwareErrors;
        public double ChipTemp;
        public double BoardTemp;
    }
}
