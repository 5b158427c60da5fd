using CloudMining.Farm.Controller.Configuration;
using Microsoft.Extensions.Options;

namespace CloudMining.Farm.Controller.History;

/// <summary>Checks the controller's history keys at start (Controller:RackHistoryInterval, or its older spelling RackHistoryIntervalS, not both).</summary>
public sealed class HistoryOptionsValidator : IValidateOptions<HistoryOptions>
{
    private const string Section = HistoryOptions.SectionName + ":";

    public ValidateOptionsResult Validate(string? name, HistoryOptions options)
    {
        var errors = new ConfigurationErrors();
        Check(options, errors);
        return errors.ToResult();
    }

    /// <summary>Adds every problem of <paramref name="options"/> to <paramref name="errors"/>.</summary>
    public static void Check(HistoryOptions options, ConfigurationErrors errors)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(errors);
        DurationSetting? interval = DurationSetting.Resolve(
            errors,
            Section + nameof(HistoryOptions.RackHistoryInterval),
            options.RackHistoryInterval,
            Section + nameof(HistoryOptions.RackHistoryIntervalS),
            options.RackHistoryIntervalS,
            TimeSpan.FromSeconds,
            HistoryOptions.DefaultRackInterval);
        interval?.Check(errors, t => t >= TimeSpan.FromSeconds(1) && t <= TimeSpan.FromDays(1), "is outside 1 second to 1 day; write e.g. \"00:00:10\" (the default).");
    }
}
