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
        Require(o.IntervalS >= 0.1, "IntervalS", $"{o.IntervalS} is too short; use at least 0.1 s (10 s is the default).");
        Require(o.UnitSizeTh > 0 && double.IsFinite(o.UnitSizeTh), "UnitSizeTh", $"{o.UnitSizeTh} must be a positive TH/s figure such as 10.");
        Require(o.ReservePercent is >= 0 and <= 100, "ReservePercent", $"{o.ReservePercent} must be between 0 and 100.");
        Require(o.ReserveAbsoluteTh >= 0 && double.IsFinite(o.ReserveAbsoluteTh), "ReserveAbsoluteTh", $"{o.ReserveAbsoluteTh} cannot be negative.");
        Require(o.TelemetryStaleS > 0, "TelemetryStaleS", $"{o.TelemetryStaleS} must be positive (seconds after which a silent miner counts as offline).");
        Require(o.ReconnectCalmS is null || o.ReconnectCalmS >= o.TelemetryStaleS, "ReconnectCalmS", $"{o.ReconnectCalmS} is shorter than TelemetryStaleS ({o.TelemetryStaleS}); after a reconnect the controller must wait at least one full telemetry window, so leave it unset or raise it.");
        Require(o.AgentOfflineGraceMin is >= 0 and <= 1440, "AgentOfflineGraceMin", $"{o.AgentOfflineGraceMin} must be between 0 and 1440 minutes (3 is the default: a graceful agent restart moves nothing).");
        Require(o.ProbationReadings is >= 1 and <= 10_000, "ProbationReadings", $"{o.ProbationReadings} must be between 1 and 10000 healthy readings; probation cannot be switched off, shorten it instead.");
        Require(o.ProbationMin is >= 0 and <= 10_080, "ProbationMin", $"{o.ProbationMin} must be between 0 and 10080 minutes (5 is the default).");
        Require(o.OwnerSilentMin > 0 && o.OwnerSilentMin * 60 >= o.TelemetryStaleS, "OwnerSilentMin", $"{o.OwnerSilentMin} must be positive and at least TelemetryStaleS ({o.TelemetryStaleS} s); 10 minutes is the default.");
        Require(o.LagAfterS > 0, "LagAfterS", $"{o.LagAfterS} must be positive.");
        Require(o.ProofWindowMin > 0, "ProofWindowMin", $"{o.ProofWindowMin} must be positive (minutes of accepted difficulty to average over).");
        Require(o.ProofTolerancePercent is > 0 and < 100, "ProofTolerancePercent", $"{o.ProofTolerancePercent} must be between 0 and 100 (exclusive).");
        Require(o.ProofHoldMin >= 0, "ProofHoldMin", $"{o.ProofHoldMin} cannot be negative.");
        Require(o.PlatformPublishIntervalS > 0, "PlatformPublishIntervalS", $"{o.PlatformPublishIntervalS} must be positive.");
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
}
