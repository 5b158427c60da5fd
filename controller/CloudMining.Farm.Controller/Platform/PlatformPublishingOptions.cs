using CloudMining.Farm.Controller.Configuration;

namespace CloudMining.Farm.Controller.Platform;

/// <summary>
/// Publishing for the contract platform, read from the "Controller:Engine" section where existing files have its key:
/// how often the allocation and capacity topics are re-published when nothing changed.
/// </summary>
public sealed class PlatformPublishingOptions
{
    public const string SectionName = "Controller:Engine";

    /// <summary>The default <see cref="PlatformPublishInterval"/>.</summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromMinutes(1);

    /// <summary>Between re-publications of the platform's allocation and capacity topics when nothing changed (delivered hashrate moves); default 00:01:00.</summary>
    public TimeSpan? PlatformPublishInterval { get; set; }

    /// <summary>Older spelling of <see cref="PlatformPublishInterval"/>, seconds; still read, but not together with it.</summary>
    public double? PlatformPublishIntervalS { get; set; }

    /// <summary>The interval in force: <see cref="PlatformPublishInterval"/>, else <see cref="PlatformPublishIntervalS"/>, else one minute. Call after validation.</summary>
    public TimeSpan Interval() => DurationSetting.InForce(PlatformPublishInterval, PlatformPublishIntervalS, TimeSpan.FromSeconds, DefaultInterval);
}
