using System.Globalization;
using CloudMining.Farm.Controller.Configuration;
using CloudMining.Farm.Controller.Curtailment.Signals;
using Microsoft.Extensions.Options;

namespace CloudMining.Farm.Controller.Curtailment;

/// <summary>Checks Controller:Curtailment:* at start; every problem is named by its key (the controller exits 78 on any).</summary>
public sealed class CurtailmentOptionsValidator : IValidateOptions<CurtailmentOptions>
{
    private const string Section = CurtailmentOptions.SectionName + ":";

    public ValidateOptionsResult Validate(string? name, CurtailmentOptions options)
    {
        var errors = new ConfigurationErrors();
        Check(options, errors);
        return errors.ToResult();
    }

    /// <summary>Adds every problem of <paramref name="options"/> to <paramref name="errors"/>.</summary>
    public static void Check(CurtailmentOptions options, ConfigurationErrors errors)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(errors);
        if (options.Strike is { } strike)
        {
            errors.Require(
                strike >= SignalPayloadParser.MinPricePerMWh && strike <= SignalPayloadParser.MaxPricePerMWh,
                Section + nameof(CurtailmentOptions.Strike),
                string.Create(CultureInfo.InvariantCulture, $"{strike} is outside {SignalPayloadParser.MinPricePerMWh}..{SignalPayloadParser.MaxPricePerMWh}; give the strike price per MWh, or leave it out (no price curtailment)."));
        }

        errors.Require(options.Hysteresis >= 0 && options.Hysteresis <= SignalPayloadParser.MaxPricePerMWh, Section + nameof(CurtailmentOptions.Hysteresis), "must be 0 or more (per MWh below the strike before the site runs again).");
        errors.Require(options.MinRunning >= TimeSpan.Zero && options.MinRunning <= TimeSpan.FromDays(1), Section + nameof(CurtailmentOptions.MinRunning), "must be between 00:00:00 and 1.00:00:00 (minimum time running before curtailing again).");
        errors.Require(options.MinCurtailed >= TimeSpan.Zero && options.MinCurtailed <= TimeSpan.FromDays(1), Section + nameof(CurtailmentOptions.MinCurtailed), "must be between 00:00:00 and 1.00:00:00 (minimum time curtailed before running again).");
        errors.Require(options.PowerTargetFloor > 0 && options.PowerTargetFloor < 1, Section + nameof(CurtailmentOptions.PowerTargetFloor), "must be more than 0 and less than 1 (the share of measured power a power target may go down to).");
        errors.Require(options.SleepDrawFraction >= 0 && options.SleepDrawFraction < 0.5, Section + nameof(CurtailmentOptions.SleepDrawFraction), "must be 0 or more and less than 0.5 (the share of its running power a sleeping miner still draws).");
        errors.Require(double.IsFinite(options.RestoreWaveKw) && options.RestoreWaveKw > 0, Section + nameof(CurtailmentOptions.RestoreWaveKw), "must be more than 0 kW (power a restore wave may bring back at once).");
        errors.Require(options.RestoreInterval >= TimeSpan.Zero && options.RestoreInterval <= TimeSpan.FromHours(1), Section + nameof(CurtailmentOptions.RestoreInterval), "must be between 00:00:00 and 01:00:00 (time between restore waves).");
        errors.Require(options.DefaultEventDuration > TimeSpan.Zero && options.DefaultEventDuration <= SignalPayloadParser.MaxEventDuration, Section + nameof(CurtailmentOptions.DefaultEventDuration), $"must be more than 0 and at most {SignalPayloadParser.MaxEventDuration} (an operator's demand-response event without a duration).");
        if (options.TariffFile is { Length: > 0 } file)
        {
            try
            {
                _ = TariffSchedule.Load(file);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or ArgumentException or InvalidOperationException or System.Text.Json.JsonException)
            {
                errors.Add(Section + nameof(CurtailmentOptions.TariffFile), e.Message);
            }
        }
    }
}
