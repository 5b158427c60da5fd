using CloudMining.Farm.Controller.Configuration;

namespace CloudMining.Farm.Controller.History;

/// <summary>
/// The controller's own history keys, read from the "Controller" section where existing files have them. Where the
/// points go is the "Influx" section (<see cref="Influx.Client.InfluxDBClientOptions"/>, off by default) and how they
/// are batched "Influx:Write" (<see cref="Influx.Write.WriteOptions"/>).
/// </summary>
public sealed class HistoryOptions
{
    public const string SectionName = "Controller";

    /// <summary>The default <see cref="RackHistoryInterval"/>.</summary>
    public static readonly TimeSpan DefaultRackInterval = TimeSpan.FromSeconds(10);

    /// <summary>Between rack and contract history points (Controller:RackHistoryInterval, e.g. "00:00:10", the default); at least one second.</summary>
    public TimeSpan? RackHistoryInterval { get; set; }

    /// <summary>Older spelling of <see cref="RackHistoryInterval"/>, seconds; still read, but not together with it.</summary>
    public double? RackHistoryIntervalS { get; set; }

    /// <summary>The interval in force: <see cref="RackHistoryInterval"/>, else <see cref="RackHistoryIntervalS"/>, else 10 s. Call after validation.</summary>
    public TimeSpan RackInterval() => DurationSetting.InForce(RackHistoryInterval, RackHistoryIntervalS, TimeSpan.FromSeconds, DefaultRackInterval);
}
