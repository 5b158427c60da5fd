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
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors.All.Select(e => e.ToString()));
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
        Duration? D(string key, TimeSpan? value, string legacyKey, double? legacy, Func<double, TimeSpan> unit, TimeSpan fallback)
        {
            if (value is not null && legacy is not null)
            {
                errors.Add(Section + legacyKey, $"is set together with {Section}{key}; keep only {key} (a duration such as \"00:00:10\") and remove {legacyKey}, its older spelling.");
                return null;
            }

            if (legacy is { } v)
            {
                // A number no TimeSpan can hold (NaN, 1e300) fails the range check below.
                return new Duration(legacyKey, v.ToString(System.Globalization.CultureInfo.InvariantCulture), double.IsFinite(v) && Math.Abs(v) < 1e9 ? unit(v) : null, true);
            }

            return new Duration(key, $"'{value ?? fallback}'", value ?? fallback, value is not null);
        }

        void CheckDuration(Duration? d, Func<TimeSpan, bool> ok, string message)
        {
            if (d is not null)
            {
                Require(d.Value is { } t && ok(t), d.Key, $"{d.Shown} {message}");
            }
        }

        EngineDurations defaults = EngineDurations.Default;
        Duration? tick = D("TickInterval", o.TickInterval, "IntervalS", o.IntervalS, TimeSpan.FromSeconds, defaults.TickInterval);
        Duration? stale = D("TelemetryStale", o.TelemetryStale, "TelemetryStaleS", o.TelemetryStaleS, TimeSpan.FromSeconds, defaults.TelemetryStale);
        Duration? calm = D("ReconnectCalm", o.ReconnectCalm, "ReconnectCalmS", o.ReconnectCalmS, TimeSpan.FromSeconds, stale?.Value ?? defaults.TelemetryStale);
        Duration? grace = D("AgentOfflineGrace", o.AgentOfflineGrace, "AgentOfflineGraceMin", o.AgentOfflineGraceMin, TimeSpan.FromMinutes, defaults.AgentOfflineGrace);
        Duration? probation = D("ProbationPeriod", o.ProbationPeriod, "ProbationMin", o.ProbationMin, TimeSpan.FromMinutes, defaults.ProbationPeriod);
        Duration? silent = D("OwnerSilent", o.OwnerSilent, "OwnerSilentMin", o.OwnerSilentMin, TimeSpan.FromMinutes, defaults.OwnerSilent);
        Duration? lag = D("LagAfter", o.LagAfter, "LagAfterS", o.LagAfterS, TimeSpan.FromSeconds, defaults.LagAfter);
        Duration? window = D("ProofWindow", o.ProofWindow, "ProofWindowMin", o.ProofWindowMin, TimeSpan.FromMinutes, defaults.ProofWindow);
        Duration? hold = D("ProofHold", o.ProofHold, "ProofHoldMin", o.ProofHoldMin, TimeSpan.FromMinutes, defaults.ProofHold);
        Duration? platform = D("PlatformPublishInterval", o.PlatformPublishInterval, "PlatformPublishIntervalS", o.PlatformPublishIntervalS, TimeSpan.FromSeconds, defaults.PlatformPublishInterval);
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
        CheckDuration(platform, t => t > TimeSpan.Zero, "must be positive.");
        Require(o.ElectricityPricePerKwh >= 0, "ElectricityPricePerKwh", $"{o.ElectricityPricePerKwh} cannot be negative.");
        Require(o.HashpricePerThDay is null or >= 0, "HashpricePerThDay", $"{o.HashpricePerThDay} cannot be negative.");
        Require(o.NominalJoulesPerTerahash >= 0, "NominalJoulesPerTerahash", $"{o.NominalJoulesPerTerahash} cannot be negative.");
        if (o.Readings is null)
        {
            errors.Add(Section + "Readings", "is empty; remove the key to use the default reading envelope.");
        }
        else
        {
            Fleet.ReadingEnvelopeOptionsValidator.Check(o.Readings, errors);
        }

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

    /// <summary>One duration as configured: the key that was set (the TimeSpan key when none), as shown in a message, its value (null: unrepresentable), whether it was set.</summary>
    private sealed record Duration(string Key, string Shown, TimeSpan? Value, bool Set);
}
