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
    private readonly ThermalOptions thermal;
    private readonly TimeSpan minerMaxAge;
    private readonly IMinerPower power;
    private readonly IDesiredPoolStateView? desired;
    private readonly MinerOverheatGuard? guard;
    private readonly RackEventBus events;
    private readonly TimeProvider time;
    private readonly ILogger logger;
    private readonly List<string> shed = [];
    private DateTimeOffset? overSince;
    private DateTimeOffset? lastShedAt;
    private DateTimeOffset? lastRestoreAt;
    private bool exhausted;

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
        thermal = options.Thermal;
        minerMaxAge = options.PollInterval * 3;
        this.power = power ?? throw new ArgumentNullException(nameof(power));
        this.desired = desired;
        this.guard = guard;
        this.events = events ?? throw new ArgumentNullException(nameof(events));
        this.time = time ?? throw new ArgumentNullException(nameof(time));
        this.logger = logger ?? throw new ArgumentNullException(nameof(logger));
    }

    /// <summary>Miners switched off by shedding and not restored yet, in the order they were shed.</summary>
    public IReadOnlyList<string> Shed => shed;

    /// <summary>True from the moment the exhaust is first seen over the limit until it is under it again.</summary>
    public bool IsOverLimit => overSince is not null;

    private Temperature Limit => Temperature.FromCelsius(thermal.RackExhaustLimitCelsius);

    private Temperature RestoreBelow => Temperature.FromCelsius(thermal.RackExhaustLimitCelsius - thermal.RackHysteresisCelsius);

    /// <param name="exhaust">The hottest exhaust sensor now; null when none could be read (the shedder then holds: it neither sheds nor restores blind).</param>
    public async Task StepAsync(Temperature? exhaust, IReadOnlyList<MinerPollStatus> miners, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(miners);
        if (exhaust is not { } air)
        {
            return;
        }

        DateTimeOffset now = time.GetUtcNow();
        if (air > Limit)
        {
            if (overSince is null)
            {
                overSince = now;
                exhausted = false;
                events.Raise(RackEvent.Warning("alarm", "rack-over-temperature", null,
                    $"Exhaust {air} is above the {Limit} limit; load is shed if it stays there for {Seconds(thermal.RackGracePeriod)} s."));
                return;
            }

            bool graceOver = now - overSince.Value >= thermal.RackGracePeriod;
            bool settled = lastShedAt is null || now - lastShedAt.Value >= thermal.ShedSettleTime;
            if (graceOver && settled)
            {
                await ShedStepAsync(air, now - overSince.Value, miners, now, cancellationToken);
            }

            return;
        }

        if (overSince is not null)
        {
            overSince = null;
            events.Raise(RackEvent.Info("alarm", "rack-temperature-normal", null,
                $"Exhaust {air} is under the {Limit} limit again; {shed.Count} shed miner(s) come back once it is under {RestoreBelow}."));
        }

        if (shed.Count > 0 && air < RestoreBelow)
        {
            bool settled = lastShedAt is null || now - lastShedAt.Value >= thermal.ShedSettleTime;
            bool gapOver = lastRestoreAt is null || now - lastRestoreAt.Value >= thermal.RestoreGap;
            if (settled && gapOver)
            {
                await RestoreOneAsync(air, now, cancellationToken);
            }
        }
    }

    private async Task ShedStepAsync(Temperature air, TimeSpan over, IReadOnlyList<MinerPollStatus> miners, DateTimeOffset now, CancellationToken cancellationToken)
    {
        DesiredPoolStatePayload? state = desired?.Current;
        var candidates = miners
            .Where(m => !shed.Contains(m.MinerId, StringComparer.OrdinalIgnoreCase) && guard?.IsTripped(m.MinerId) != true)
            .Where(m => power.HasRelay(m.MinerId) && power.IsPoweredOn(m.MinerId))
            .Select(m => (Miner: m, Contract: ContractOf(state, m.MinerId), Chip: MinerHeat.FreshMaxChip(m, now, minerMaxAge)))
            .OrderBy(c => c.Contract is null ? 0 : 1)
            .ThenByDescending(c => c.Chip?.Celsius ?? double.NegativeInfinity)
            .Take(Math.Max(1, thermal.ShedStep))
            .ToList();

        lastShedAt = now;
        if (candidates.Count == 0)
        {
            if (!exhausted)
            {
                exhausted = true;
                events.Raise(RackEvent.Critical("alarm", "load-shed", null,
                    $"Exhaust {air} has been above the {Limit} limit for {Seconds(over)} s and no miner with a relay is left to switch off ({shed.Count} shed). Check the room's cooling now."));
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
                await power.PowerOffAsync(miner.MinerId, reason, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogShedFailed(logger, e, miner.MinerId);
                continue;
            }

            shed.Add(miner.MinerId);
            events.Raise(RackEvent.Warning("alarm", "load-shed", miner.MinerId,
                $"Switched off ({role}{heat}): exhaust {air} has been above the {Limit} limit for {Seconds(over)} s; {shed.Count} miner(s) shed. They come back one every {Seconds(thermal.RestoreGap)} s once the exhaust is under {RestoreBelow}."));
        }
    }

    private async Task RestoreOneAsync(Temperature air, DateTimeOffset now, CancellationToken cancellationToken)
    {
        string minerId = shed[^1];
        lastRestoreAt = now;
        try
        {
            if (!power.IsPoweredOn(minerId))
            {
                await power.PowerOnAsync(minerId, $"rack load restored: exhaust {air} under {RestoreBelow}", cancellationToken);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogRestoreFailed(logger, e, minerId);
            return;
        }

        shed.RemoveAt(shed.Count - 1);
        events.Raise(RackEvent.Info("alarm", "load-restored", minerId,
            $"Powered again: exhaust {air} is under {RestoreBelow}; {shed.Count} miner(s) still shed."));
    }

    private static string? ContractOf(DesiredPoolStatePayload? state, string minerId) =>
        state?.Miners.FirstOrDefault(a => string.Equals(a.MinerId, minerId, StringComparison.OrdinalIgnoreCase))?.ContractId;

    private static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0", CultureInfo.InvariantCulture);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not switch off miner {MinerId} to shed rack load; it is tried again next step")]
    private static partial void LogShedFailed(ILogger logger, Exception exception, string minerId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not power miner {MinerId} again after load shedding; trying again after the restore gap")]
    private static partial void LogRestoreFailed(ILogger logger, Exception exception, string minerId);
}
