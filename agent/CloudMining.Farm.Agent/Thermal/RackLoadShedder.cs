using System.Globalization;
using CloudMining.Farm.Agent.Configuration;
using CloudMining.Farm.Agent.Events;
using CloudMining.Farm.Agent.Polling;
using CloudMining.Farm.Agent.Pools;
using CloudMining.Farm.Agent.Power;
using CloudMining.Farm.Shared.Wire;
using CloudMining.Farm.Shared.Units;
using Microsoft.Extensions.Logging;

namespace CloudMining.Farm.Agent.Thermal;

/// <summary>
/// Sheds load when the rack's exhaust stays over its limit: after the grace period it switches off ShedStep miners,
/// waits ShedSettleTime for the air to respond, and repeats while the exhaust is still over. Unsold miners (no
/// contract in the desired pool state) go first, miners serving contracts only when no unsold one is left; within
/// each group the hottest goes first. Once the exhaust is under limit − hysteresis, shed miners come back one per
/// RestoreGap, the last shed first (contract miners before unsold ones). Not thread-safe: one loop owns it.
/// </summary>
public sealed partial class RackLoadShedder
{
    private readonly ThermalOptions _thermal;
    private readonly TimeSpan _minerMaxAge;
    private readonly IMinerPower _power;
    private readonly IDesiredPoolStateView? _desired;
    private readonly MinerOverheatGuard? _guard;
    private readonly RackEventBus _events;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly List<string> _shed = [];
    private DateTimeOffset? _overSince;
    private DateTimeOffset? _lastShedAt;
    private DateTimeOffset? _lastRestoreAt;
    private bool _exhausted;

    public RackLoadShedder(
        AgentOptions options,
        IMinerPower power,
        IDesiredPoolStateView? desired,
        MinerOverheatGuard? guard,
        RackEventBus events,
        TimeProvider time,
        ILogger<RackLoadShedder> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _thermal = options.Thermal;
        _minerMaxAge = options.PollInterval * 3;
        _power = power ?? throw new ArgumentNullException(nameof(power));
        _desired = desired;
        _guard = guard;
        _events = events ?? throw new ArgumentNullException(nameof(events));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
    }

    /// <summary>Miners switched off by shedding and not restored yet, in the order they were shed.</summary>
    public IReadOnlyList<string> Shed => _shed;

    /// <summary>True from the moment the exhaust is first seen over the limit until it is under it again.</summary>
    public bool IsOverLimit => _overSince is not null;

    private Temperature Limit => Temperature.FromCelsius(_thermal.RackExhaustLimitCelsius);

    private Temperature RestoreBelow => Temperature.FromCelsius(_thermal.RackExhaustLimitCelsius - _thermal.RackHysteresisCelsius);

    /// <param name="exhaust">The hottest exhaust sensor now; null when none could be read (the shedder then holds: it neither sheds nor restores blind).</param>
    public async Task StepAsync(Temperature? exhaust, IReadOnlyList<MinerPollStatus> miners, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(miners);
        if (exhaust is not { } air)
        {
            return;
        }

        DateTimeOffset now = _time.GetUtcNow();
        if (air > Limit)
        {
            if (_overSince is null)
            {
                _overSince = now;
                _exhausted = false;
                _events.Raise(RackEvent.Warning("alarm", "rack-over-temperature", null,
                    $"Exhaust {air} is above the {Limit} limit; load is shed if it stays there for {Seconds(_thermal.RackGracePeriod)} s."));
                return;
            }

            bool graceOver = now - _overSince.Value >= _thermal.RackGracePeriod;
            bool settled = _lastShedAt is null || now - _lastShedAt.Value >= _thermal.ShedSettleTime;
            if (graceOver && settled)
            {
                await ShedStepAsync(air, now - _overSince.Value, miners, now, cancellationToken);
            }

            return;
        }

        if (_overSince is not null)
        {
            _overSince = null;
            _events.Raise(RackEvent.Info("alarm", "rack-temperature-normal", null,
                $"Exhaust {air} is under the {Limit} limit again; {_shed.Count} shed miner(s) come back once it is under {RestoreBelow}."));
        }

        if (_shed.Count > 0 && air < RestoreBelow)
        {
            bool settled = _lastShedAt is null || now - _lastShedAt.Value >= _thermal.ShedSettleTime;
            bool gapOver = _lastRestoreAt is null || now - _lastRestoreAt.Value >= _thermal.RestoreGap;
            if (settled && gapOver)
            {
                await RestoreOneAsync(air, now, cancellationToken);
            }
        }
    }

    private async Task ShedStepAsync(Temperature air, TimeSpan over, IReadOnlyList<MinerPollStatus> miners, DateTimeOffset now, CancellationToken cancellationToken)
    {
        DesiredPoolStatePayload? state = _desired?.Current;
        var candidates = miners
            .Where(m => !_shed.Contains(m.MinerId, StringComparer.OrdinalIgnoreCase) && _guard?.IsTripped(m.MinerId) != true)
            .Where(m => _power.HasRelay(m.MinerId) && _power.IsPoweredOn(m.MinerId))
            .Select(m => (Miner: m, Contract: ContractOf(state, m.MinerId), Chip: MinerHeat.FreshMaxChip(m, now, _minerMaxAge)))
            .OrderBy(c => c.Contract is null ? 0 : 1)
            .ThenByDescending(c => c.Chip?.Celsius ?? double.NegativeInfinity)
            .Take(Math.Max(1, _thermal.ShedStep))
            .ToList();

        _lastShedAt = now;
        if (candidates.Count == 0)
        {
            if (!_exhausted)
            {
                _exhausted = true;
                _events.Raise(RackEvent.Critical("alarm", "load-shed", null,
                    $"Exhaust {air} has been above the {Limit} limit for {Seconds(over)} s and no miner with a relay is left to switch off ({_shed.Count} shed). Check the room's cooling now."));
            }

            return;
        }

        foreach ((MinerPollStatus miner, string? contract, Temperature? chip) in candidates)
        {
            string role = contract is null ? "unsold" : $"serving contract {contract}";
            string heat = chip is { } c ? $", hottest chip {c}" : string.Empty;
            string reason = $"rack load shedding: exhaust {air} above the {Limit} limit for {Seconds(over)} s";
            try
            {
                await _power.PowerOffAsync(miner.MinerId, reason, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogShedFailed(_logger, e, miner.MinerId);
                continue;
            }

            _shed.Add(miner.MinerId);
            _events.Raise(RackEvent.Warning("alarm", "load-shed", miner.MinerId,
                $"Switched off ({role}{heat}): exhaust {air} has been above the {Limit} limit for {Seconds(over)} s; {_shed.Count} miner(s) shed. They come back one every {Seconds(_thermal.RestoreGap)} s once the exhaust is under {RestoreBelow}."));
        }
    }

    private async Task RestoreOneAsync(Temperature air, DateTimeOffset now, CancellationToken cancellationToken)
    {
        string minerId = _shed[^1];
        _lastRestoreAt = now;
        try
        {
            if (!_power.IsPoweredOn(minerId))
            {
                await _power.PowerOnAsync(minerId, $"rack load restored: exhaust {air} under {RestoreBelow}", cancellationToken);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogRestoreFailed(_logger, e, minerId);
            return;
        }

        _shed.RemoveAt(_shed.Count - 1);
        _events.Raise(RackEvent.Info("alarm", "load-restored", minerId,
            $"Powered again: exhaust {air} is under {RestoreBelow}; {_shed.Count} miner(s) still shed."));
    }

    private static string? ContractOf(DesiredPoolStatePayload? state, string minerId) =>
        state?.Miners.FirstOrDefault(a => string.Equals(a.MinerId, minerId, StringComparison.OrdinalIgnoreCase))?.ContractId;

    private static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0", CultureInfo.InvariantCulture);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not switch off miner {MinerId} to shed rack load; it is tried again next step")]
    private static partial void LogShedFailed(ILogger logger, Exception exception, string minerId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not power miner {MinerId} again after load shedding; trying again after the restore gap")]
    private static partial void LogRestoreFailed(ILogger logger, Exception exception, string minerId);
}
