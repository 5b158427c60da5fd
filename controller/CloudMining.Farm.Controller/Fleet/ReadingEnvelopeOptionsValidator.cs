using CloudMining.Farm.Controller.Configuration;
using Microsoft.Extensions.Options;

namespace CloudMining.Farm.Controller.Fleet;

/// <summary>Checks "Controller:Engine:Readings" at start, naming every key that is wrong and what to set.</summary>
public sealed class ReadingEnvelopeOptionsValidator : IValidateOptions<ReadingEnvelopeOptions>
{
    private const string Section = "Controller:Engine:Readings:";

    public ValidateOptionsResult Validate(string? name, ReadingEnvelopeOptions options)
    {
        var errors = new ConfigurationErrors();
        Check(options, errors);
        return errors.ToResult();
    }

    /// <summary>Throws one <see cref="ControllerConfigurationException"/> listing every problem (the first key as its setting).</summary>
    public static void Validate(ReadingEnvelopeOptions o)
    {
        var errors = new ConfigurationErrors();
        Check(o, errors);
        errors.ThrowIfAny();
    }

    /// <summary>Adds every problem of <paramref name="o"/> to <paramref name="errors"/>.</summary>
    public static void Check(ReadingEnvelopeOptions o, ConfigurationErrors errors)
    {
        ArgumentNullException.ThrowIfNull(o);
        ArgumentNullException.ThrowIfNull(errors);
        void Require(bool ok, string key, string message) => errors.Require(ok, Section + key, message);
        Require(o.MaxHashrateTh is > 0 and <= ReadingEnvelopeOptions.HashrateLimitTh, "MaxHashrateTh", $"{o.MaxHashrateTh} must be a TH/s figure above 0 and at most {ReadingEnvelopeOptions.HashrateLimitTh:0} (2000 is the default).");
        Require(o.MaxOverNominal is >= 1 and <= 10, "MaxOverNominal", $"{o.MaxOverNominal} must be between 1 and 10 (2 is the default: twice the nameplate hashrate).");
        Require(o.MaxPowerW is > 0 and <= 1e6, "MaxPowerW", $"{o.MaxPowerW} must be a wattage above 0 and at most 1,000,000 (20000 is the default).");
        Require(double.IsFinite(o.MinChipTempC) && double.IsFinite(o.MaxChipTempC) && o.MinChipTempC < o.MaxChipTempC, "MaxChipTempC", $"the range {o.MinChipTempC}..{o.MaxChipTempC} °C is empty or not finite; the defaults are -40 and 150.");
        Require(o.PlausibleReadingsToClear is >= 1 and <= 1000, "PlausibleReadingsToClear", $"{o.PlausibleReadingsToClear} must be between 1 and 1000 (3 is the default).");
        Require(o.SuspectHold >= TimeSpan.Zero && o.SuspectHold <= TimeSpan.FromDays(1), "SuspectHold", $"{o.SuspectHold} must be between 00:00:00 and 1.00:00:00 (00:03:00 is the default: a suspect miner keeps its place this long, so one absurd reading moves no miner).");
        Require(o.LogInterval > TimeSpan.Zero, "LogInterval", $"{o.LogInterval} must be positive, e.g. \"00:10:00\".");
        Require(o.MaxLogLinesPerInterval >= 1, "MaxLogLinesPerInterval", $"{o.MaxLogLinesPerInterval} must be at least 1.");
        foreach ((string model, ModelReadingLimits limits) in o.Models)
        {
            if (limits is null)
            {
                Require(false, $"Models:{model}", "is empty; give MaxHashrateTh and/or MaxPowerW.");
                continue;
            }

            Require(limits.MaxHashrateTh is null or (> 0 and <= ReadingEnvelopeOptions.HashrateLimitTh), $"Models:{model}:MaxHashrateTh", $"{limits.MaxHashrateTh} must be a TH/s figure above 0 and at most {ReadingEnvelopeOptions.HashrateLimitTh:0}.");
            Require(limits.MaxPowerW is null or (> 0 and <= 1e6), $"Models:{model}:MaxPowerW", $"{limits.MaxPowerW} must be a wattage above 0 and at most 1,000,000.");
        }
    }
}
