namespace CloudMining.Farm.Controller.Admission;

/// <summary>
/// A miner id never seen before, on probation on the rack that first reported it: it counts distinct healthy readings
/// and passes once it has enough of them over a long enough span. An unhealthy reading starts the count again.
/// </summary>
public sealed class MinerProbation
{
    private DateTimeOffset? _lastCounted;

    public MinerProbation(string rack, DateTimeOffset since)
    {
        Rack = rack ?? throw new ArgumentNullException(nameof(rack));
        Since = since;
    }

    /// <summary>The rack the candidate belongs to.</summary>
    public string Rack { get; }

    /// <summary>When the controller first heard of it (controller clock).</summary>
    public DateTimeOffset Since { get; }

    /// <summary>Healthy readings in a row so far.</summary>
    public int HealthyReadings { get; private set; }

    /// <summary>When the current run of healthy readings started (controller clock); null while there is none.</summary>
    public DateTimeOffset? HealthySince { get; private set; }

    /// <summary>Counts the sighting if it is a reading not counted before.</summary>
    public void Observe(MinerSighting sighting, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(sighting);
        if (sighting.TelemetryAt is not { } at || (_lastCounted is { } last && at <= last))
        {
            return;
        }

        _lastCounted = at;
        if (sighting.Healthy)
        {
            HealthyReadings++;
            HealthySince ??= now;
        }
        else
        {
            HealthyReadings = 0;
            HealthySince = null;
        }
    }

    /// <summary>True once at least <paramref name="readings"/> healthy readings span at least <paramref name="span"/>.</summary>
    public bool Passed(int readings, TimeSpan span, DateTimeOffset now) =>
        HealthyReadings >= readings && HealthySince is { } since && now - since >= span;
}
