using System.Globalization;
using CloudMining.Farm.Agent.Configuration;
using CloudMining.Farm.Agent.Events;
using CloudMining.Farm.Agent.Polling;
using CloudMining.Farm.Agent.Power;
using CloudMining.Farm.Shared.Units;
using Microsoft.Extensions.Logging;

namespace CloudMining.Farm.Agent.Thermal;

/// <summary>
/// Cuts the relay of a miner whose hottest chip has stayed over the limit for the grace period, and powers it again
/// after the cool-down (never, when the cool-down is zero). A powered-off miner reports no temperature, so coming back
/// cannot wait for "cool" readings: the cool-down is the evidence. Not thread-safe: one loop owns it.
/// </summary>
public sealed partial class MinerOverheatGuard
{
    private readonly ThermalOptions _thermal;
    private readonly TimeSpan _minerMaxAge;
    private readonly IMinerPower _power;
    private readonly RackEventBus _events;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Dictionary<string, DateTimeOffset> _overSince = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, DateTimeOffset> _tripped = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _reported = new(StringComparer.OrdinalIgnoreCase);

    public MinerOverheatGuard(AgentOptions options, IMinerPower power, RackEventBus events, TimeProvider time, ILogger<MinerOverheatGuard> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _thermal = options.Thermal;
        _minerMaxAge = options.PollInterval * 3;
        _power = power ?? throw new ArgumentNullException(nameof(power));
        _events = events ?? throw new ArgumentNullException(nameof(events));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
    }

    private Temperature Limit => Temperature.FromCelsius(_thermal.MinerChipLimitCelsius);

    /// <summary>Miners this guard switched off and has not powered again.</summary>
    public IReadOnlyCollection<string> Tripped => _tripped.Keys;

    public bool IsTripped(string minerId) => _tripped.ContainsKey(minerId);

    public async Task StepAsync(IReadOnlyList<MinerPollStatus> miners, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(miners);
        DateTimeOffset now = _time.GetUtcNow();
        foreach (MinerPollStatus miner in miners)
        {
            if (_tripped.ContainsKey(miner.MinerId))
            {
                continue;
            }

            Temperature? chip = MinerHeat.FreshMaxChip(miner, now, _minerMaxAge);
            if (chip is not { } hot)
            {
                // No fresh reading: neither proof of heat nor of cooling, so the clock of an ongoing episode keeps running.
                continue;
            }

            if (hot <= Limit)
            {
                _overSince.Remove(miner.MinerId);
                _reported.Remove(miner.MinerId);
                continue;
            }

            if (!_overSince.TryGetValue(miner.MinerId, out DateTimeOffset since))
            {
                _overSince[miner.MinerId] = now;
                LogOverLimit(_logger, miner.MinerId, hot.Celsius, Limit.Celsius, _thermal.MinerGracePeriod.TotalSeconds);
                continue;
            }

            if (now - since >= _thermal.MinerGracePeriod)
            {
                await CutAsync(miner.MinerId, hot, now - since, cancellationToken);
            }
        }

        await RestoreCooledAsync(now, cancellationToken);
    }

    private async Task CutAsync(string minerId, Temperature hot, TimeSpan over, CancellationToken cancellationToken)
    {
        string seconds = over.TotalSeconds.ToString("0", CultureInfo.InvariantCulture);
        string reason = $"over-temperature: hottest chip {hot} above the {Limit} limit for {seconds} s";
        if (!_power.HasRelay(minerId))
        {
            if (_reported.Add(minerId))
            {
                _events.Raise(RackEvent.Critical("alarm", "over-temperature", minerId,
                    $"Hottest chip {hot} has been above the {Limit} limit for {seconds} s, but the miner has no relay in Agent:Hardware:Relays. Switch it off by hand and map its outlet."));
            }

            return;
        }

        try
        {
            await _power.PowerOffAsync(minerId, reason, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            if (_reported.Add(minerId))
            {
                _events.Raise(RackEvent.Critical("alarm", "over-temperature", minerId,
                    $"Hottest chip {hot} has been above the {Limit} limit for {seconds} s and cutting its relay failed: {e.Message} Switch it off by hand."));
            }

            return;
        }

        DateTimeOffset now = _time.GetUtcNow();
        _tripped[minerId] = now;
        _overSince.Remove(minerId);
        _reported.Remove(minerId);
        string back = _thermal.OverTemperatureCoolDown > TimeSpan.Zero
            ? $"it is powered again after a cool-down of {_thermal.OverTemperatureCoolDown}"
            : "it stays off until the agent restarts or a technician powers it";
        _events.Raise(RackEvent.Critical("alarm", "over-temperature", minerId, $"Relay cut: hottest chip {hot} was above the {Limit} limit for {seconds} s; {back}. Check its fans, filters and intake."));
    }

    private async Task RestoreCooledAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (_thermal.OverTemperatureCoolDown <= TimeSpan.Zero)
        {
            return;
        }

        foreach ((string minerId, DateTimeOffset at) in _tripped.Where(t => now - t.Value >= _thermal.OverTemperatureCoolDown).ToArray())
        {
            try
            {
                if (!_power.IsPoweredOn(minerId))
                {
                    await _power.PowerOnAsync(minerId, $"over-temperature cool-down of {_thermal.OverTemperatureCoolDown} elapsed", cancellationToken);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                LogRestoreFailed(_logger, e, minerId);
                continue;
            }

            _tripped.Remove(minerId);
            _events.Raise(RackEvent.Info("alarm", "over-temperature-cleared", minerId,
                $"Powered again after {(now - at).TotalMinutes.ToString("0.#", CultureInfo.InvariantCulture)} min off for over-temperature; it is cut again if it overheats again."));
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Miner {MinerId} hottest chip {ChipCelsius} °C is above the {LimitCelsius} °C limit; its relay is cut if it stays there for {GraceSeconds} s")]
    private static partial void LogOverLimit(ILogger logger, string minerId, double chipCelsius, double limitCelsius, double graceSeconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not power miner {MinerId} again after its over-temperature cool-down; trying again next pass")]
    private static partial void LogRestoreFailed(ILogger logger, Exception exception, string minerId);
}
