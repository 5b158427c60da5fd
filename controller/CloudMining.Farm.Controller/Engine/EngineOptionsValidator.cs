using CloudMining.Farm.Controller.Configuration;
using CloudMining.Farm.Controller.Contracts;
using Microsoft.Extensions.Options;

namespace CloudMining.Farm.Controller.Engine;

/// <summary>Checks the "Controller:Engine" section at start, naming every key that is wrong and what to set.</summary>
public sealed class EngineOptionsValidator : IValidateOptions<EngineOptions>
{
    private const string Section = "Controller:Engine:";

    public ValidateOptionsResult Validate(string? name, EngineOptions options)
    {
        var errors = new ConfigurationErrors();
        Check(options, errors);
        return errors.ToResult();
    }

    /// <summary>Throws one <see cref="ControllerConfigurationException"/> listing every problem (the first key as its setting).</summary>
    public static void Validate(EngineOptions o)
    {
        var errors = new ConfigurationErrors();
        Check(o, errors);
        errors.ThrowIfAny();
    }

    /// <summary>Adds every problem of <paramref name="o"/> to <paramref name="errors"/>, in the order of the keys.</summary>
    public static void Check(EngineOptions o, ConfigurationErrors errors)
    {
        ArgumentNullException.ThrowIfNull(o);
        ArgumentNullException.ThrowIfNull(errors);
        void Require(bool ok, string key, string message) => errors.Require(ok, Section + key, message);

        // Each duration: the TimeSpan key, or its older number key (unit in the name), or the default; an error names
        // the key that was set.
        DurationSetting? D(string key, TimeSpan? value, string legacyKey, double? legacy, Func<double, TimeSpan> unit, TimeSpan fallback) =>
            DurationSetting.Resolve(errors, Section + key, value, Section + legacyKey, legacy, unit, fallback);

        void CheckDuration(DurationSetting? d, Func<TimeSpan, bool> ok, string message) => d?.Check(errors, ok, message);

        EngineDurations defaults = EngineDurations.Default;
        DurationSetting? tick = D("TickInterval", o.TickInterval, "IntervalS", o.IntervalS, TimeSpan.FromSeconds, defaults.TickInterval);
        DurationSetting? stale = D("TelemetryStale", o.TelemetryStale, "TelemetryStaleS", o.TelemetryStaleS, TimeSpan.FromSeconds, defaults.TelemetryStale);
        DurationSetting? calm = D("ReconnectCalm", o.ReconnectCalm, "ReconnectCalmS", o.ReconnectCalmS, TimeSpan.FromSeconds, stale?.Value ?? defaults.TelemetryStale);
        DurationSetting? grace = D("AgentOfflineGrace", o.AgentOfflineGrace, "AgentOfflineGraceMin", o.AgentOfflineGraceMin, TimeSpan.FromMinutes, defaults.AgentOfflineGrace);
        DurationSetting? probation = D("ProbationPeriod", o.ProbationPeriod, "ProbationMin", o.ProbationMin, TimeSpan.FromMinutes, defaults.ProbationPeriod);
        DurationSetting? silent = D("OwnerSilent", o.OwnerSilent, "OwnerSilentMin", o.OwnerSilentMin, TimeSpan.FromMinutes, defaults.OwnerSilent);
        DurationSetting? lag = D("LagAfter", o.LagAfter, "LagAfterS", o.LagAfterS, TimeSpan.FromSeconds, defaults.LagAfter);
        DurationSetting? window = D("ProofWindow", o.ProofWindow, "ProofWindowMin", o.ProofWindowMin, TimeSpan.FromMinutes, defaults.ProofWindow);
        DurationSetting? hold = D("ProofHold", o.ProofHold, "ProofHoldMin", o.ProofHoldMin, TimeSpan.FromMinutes, defaults.ProofHold);
        TimeSpan? staleValue = stale?.Value;
        CheckDuration(tick, t => t >= TimeSpan.FromSeconds(0.1), "is too short; use at least 0.1 s (10 s is the default).");
        Require(o.UnitSizeTh > 0 && double.IsFinite(o.UnitSizeTh), "UnitSizeTh", $"{o.UnitSizeTh} must be a positive TH/s figure such as 10.");
        Require(o.ReservePercent is >= 0 and <= 100, "ReservePercent", $"{o.ReservePercent} must be between 0 and 100.");
        Require(o.ReserveAbsoluteTh >= 0 && double.IsFinite(o.ReserveAbsoluteTh), "ReserveAbsoluteTh", $"{o.ReserveAbsoluteTh} cannot be negative.");
        CheckDuration(stale, t => t > TimeSpan.Zero, "must be positive (after which a silent miner counts as offline; 00:01:00 is the default).");
        if (calm is { Set: true })
        {
            CheckDuration(calm, t => staleValue is not { } s || t >= s, $"is shorter than the telemetry window ({Section}TelemetryStale, {staleValue}); after a reconnect the controller must wait at least one full telemetry window, so leave it unset or raise it.");
        }

        CheckDuration(grace, t => t >= TimeSpan.Zero && t <= TimeSpan.FromDays(1), "must be between 0 and 1440 minutes (3 is the default: a graceful agent restart moves nothing).");
        Require(o.ProbationReadings is >= 1 and <= 10_000, "ProbationReadings", $"{o.ProbationReadings} must be between 1 and 10000 healthy readings; probation cannot be switched off, shorten it instead.");
        CheckDuration(probation, t => t >= TimeSpan.Zero && t <= TimeSpan.FromDays(7), "must be between 0 and 10080 minutes (5 is the default).");
        CheckDuration(silent, t => t > TimeSpan.Zero && (staleValue is not { } s || t >= s), $"must be positive and at least the telemetry window ({staleValue}); 10 minutes is the default.");
        CheckDuration(lag, t => t > TimeSpan.Zero, "must be positive.");
        CheckDuration(window, t => t > TimeSpan.Zero, "must be positive (the span of accepted difficulty to average over).");
        Require(o.ProofTolerancePercent is > 0 and < 100, "ProofTolerancePercent", $"{o.ProofTolerancePercent} must be between 0 and 100 (exclusive).");
        CheckDuration(hold, t => t >= TimeSpan.Zero, "cannot be negative.");
        Require(o.ElectricityPricePerKwh >= 0, "ElectricityPricePerKwh", $"{o.ElectricityPricePerKwh} cannot be negative.");
        Require(o.HashpricePerThDay is null or >= 0, "HashpricePerThDay", $"{o.HashpricePerThDay} cannot be negative.");
        Require(o.NominalJoulesPerTerahash >= 0, "NominalJoulesPerTerahash", $"{o.NominalJoulesPerTerahash} cannot be negative.");
        // The envelope itself ("Controller:Engine:Readings") has its own validator (ReadingEnvelopeOptionsValidator).
        errors.Require(o.Readings is not null, Section + "Readings", "is empty; remove the key to use the default reading envelope.");

        bool hasUrl = !string.IsNullOrWhiteSpace(o.HousePoolUrl);
        bool hasWorker = !string.IsNullOrWhiteSpace(o.HouseWorker);
        Require(hasUrl == hasWorker, hasUrl ? "HouseWorker" : "HousePoolUrl", "set both the house pool URL and its worker, or neither.");
        if (hasUrl && hasWorker)
        {
            try
            {
                PoolAccount.Create(o.HousePoolUrl, o.HouseWorker);
            }
            catch (ContractValidationException e)
            {
                errors.Add(Section + (e.Field == "pool.worker" ? "HouseWorker" : "HousePoolUrl"), e.Message);
            }
        }
    }
}
