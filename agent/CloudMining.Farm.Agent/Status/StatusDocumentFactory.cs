using CloudMining.Farm.Agent.Configuration;
using CloudMining.Farm.Agent.Polling;
using CloudMining.Farm.Shared.Snapshots;
using CloudMining.Farm.Shared.Units;

namespace CloudMining.Farm.Agent.Status;

/// <summary>Turns the tracker's current view of the rack into the status.json document.</summary>
public static class StatusDocumentFactory
{
    public static AgentStatusDocument Create(
        AgentOptions options,
        IReadOnlyList<MinerPollStatus> miners,
        PollCycleResult cycle,
        DateTimeOffset startedAt,
        DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(miners);
        ArgumentNullException.ThrowIfNull(cycle);
        var entries = new MinerStatusEntry[miners.Count];
        double rack = 0;
        int answering = 0;
        for (int i = 0; i < entries.Length; i++)
        {
            MinerPollStatus h = miners[i];
            entries[i] = ToEntry(h);
            if (h.State is MinerHealthState.Ok or MinerHealthState.Degraded or MinerHealthState.NotHashing)
            {
                answering++;
                rack += h.Snapshot?.Hashrate5s?.HashesPerSecond ?? 0;
            }
        }

        return new AgentStatusDocument
        {
            Site = options.Site,
            RackId = options.RackId,
            ProcessId = Environment.ProcessId,
            StartedAt = startedAt,
            WrittenAt = now,
            PollIntervalSeconds = options.PollInterval.TotalSeconds,
            Cycle = cycle.Cycle,
            CycleSeconds = Math.Round(cycle.Duration.TotalSeconds, 3),
            MinersTotal = entries.Length,
            MinersAnswering = answering,
            RackHashrate5sHashesPerSecond = rack,
            Miners = entries,
        };
    }

    public static MinerStatusEntry ToEntry(MinerPollStatus h)
    {
        ArgumentNullException.ThrowIfNull(h);
        MinerSnapshot? s = h.Snapshot;
        PoolReading? pool = s?.ActivePool;
        return new MinerStatusEntry
        {
            Id = h.MinerId,
            Address = h.Endpoint.Host,
            Port = h.Endpoint.Port,
            ConfiguredProfile = h.ConfiguredProfile,
            FirmwareProfile = s?.Identity.Profile,
            Model = s?.Identity.Model,
            Firmware = s?.Identity.FirmwareVersion is { } v ? $"{s.Identity.Firmware} {v}".Trim() : s?.Identity.Firmware,
            Hashrate5s = Rate(s?.Hashrate5s),
            HashrateAverage = Rate(s?.HashrateAverage),
            HashrateNominal = Rate(s?.HashrateNominal),
            MaxChipTemperature = s?.MaxChipTemperature?.Celsius,
            FanRpm = s?.Fans.Select(f => f.Rpm).ToArray() ?? [],
            PoolUrl = pool?.Url,
            PoolUser = pool?.User,
            State = h.State.ToString(),
            Reason = h.Reason,
            LastError = h.LastError,
            LastErrorAt = h.LastErrorAt,
            LastSuccessAt = h.LastSuccessAt,
            LastPolledAt = h.LastPolledAt,
            LastPollMilliseconds = h.LastPollDuration is { } d ? Math.Round(d.TotalMilliseconds, 1) : null,
            ConsecutiveFailures = h.ConsecutiveFailures,
        };
    }

    private static double? Rate(Hashrate? h) => h?.HashesPerSecond;
}
