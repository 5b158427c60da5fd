using CloudMining.Farm.Controller.Configuration;
using Microsoft.Extensions.Options;

namespace CloudMining.Farm.Controller.Platform;

/// <summary>Checks the platform publishing key at start (Controller:Engine:PlatformPublishInterval, or its older spelling PlatformPublishIntervalS, not both).</summary>
public sealed class PlatformPublishingOptionsValidator : IValidateOptions<PlatformPublishingOptions>
{
    private const string Section = PlatformPublishingOptions.SectionName + ":";

    public ValidateOptionsResult Validate(string? name, PlatformPublishingOptions options)
    {
        var errors = new ConfigurationErrors();
        Check(options, errors);
        return errors.ToResult();
    }

    /// <summary>Adds every problem of <paramref name="options"/> to <paramref name="errors"/>.</summary>
    public static void Check(PlatformPublishingOptions options, ConfigurationErrors errors)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(errors);
        DurationSetting.Resolve(
            errors,
            Section + nameof(PlatformPublishingOptions.PlatformPublishInterval),
            options.PlatformPublishInterval,
            Section + nameof(PlatformPublishingOptions.PlatformPublishIntervalS),
            options.PlatformPublishIntervalS,
            TimeSpan.FromSeconds,
            PlatformPublishingOptions.DefaultInterval)?.Check(errors, t => t > TimeSpan.Zero, "must be positive.");
    }
}
