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
public sealed partial class SimulatedMiner : IAsyncDisposable
{
    private const double WindowSeconds = 5;
    private const int MaxWindowsPerAdvance = 50_000;

    private readonly Lock _gate = new();
    private readonly FarmClocks _clocks;
    private readonly PoolLedger _ledger;
    private readonly MinerListener _listener;
    private readonly WebListener? _web;
    private readonly WhatsminerV3Listener? _v3;
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
        _web = spec.WebPort is { } webPort && (personality.ServesBitmainWeb || personality.ServesVnishRest) ? new WebListener(this, new IPEndPoint(spec.Address, webPort)) : null;
        _v3 = personality is WhatsminerPersonality { ServesApiV3: true } ? new WhatsminerV3Listener(this, new IPEndPoint(spec.Address, spec.ApiV3Port)) : null;
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
            _web?.Start();
            _v3?.Start();
        }
        else
        {
            _listener.Reserve();
            _web?.Reserve();
            _v3?.Reserve();
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
                _web?.Stop();
            _v3?.Stop();
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
            ForgetSessionLocked();
            _listener.Stop();
            _web?.Stop();
            _v3?.Stop();
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
        if (_web is not null)
        {
            await _web.DisposeAsync();
        }

        if (_v3 is not null)
        {
            await _v3.DisposeAsync();
        }
        _hangRelease.Dispose();
    }

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
            _web?.Start();
            _v3?.Start();
        }
        else
        {
            _listener.Stop();
            _web?.Stop();
            _v3?.Stop();
        }
    }

    private static MinerIdentityInfo BuildIdentity(MinerSpec spec, FirmwarePersonality personality, MinerModel model)
    {
        ulong mac = DeterministicNoise.Hash(spec.Seed, 1001, 0);
        // 02: locally administered, so a simulated MAC can never collide with a vendor's.
        string macText = string.Create(CultureInfo.InvariantCulture,
            $"02:{(byte)(mac >> 32):X2}:{(byte)(mac >> 24):X2}:{(byte)(mac >> 16):X2}:{(byte)(mac >> 8):X2}:{(byte)mac:X2}");
        string serial = personality.UnitSerial(DeterministicNoise.Hash(spec.Seed, 1002, 0));
        string controlBoardId = DeterministicNoise.Hash(spec.Seed, 1004, 0).ToString("x16", CultureInfo.InvariantCulture);
        string[] boardSerials = Enumerable.Range(0, model.Boards)
            .Select(b => personality.BoardSerial(DeterministicNoise.Hash(spec.Seed, 1003, b), b))
            .ToArray();
        return new MinerIdentityInfo(macText, serial, boardSerials, personality.FirmwareVersion(model)) { ControlBoardId = controlBoardId };
    }
}
