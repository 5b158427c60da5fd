using System.Globalization;
using CloudMining.Farm.Agent.Logging;
using CloudMining.Farm.Shared.MinerApi;
using CloudMining.Farm.Shared.Snapshots;
using CloudMining.Farm.Shared.Units;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace CloudMining.Farm.Agent.Polling;

/// <summary>Turns a read result, or the exception a resilience strategy raised, into a health state and a one-line reason.</summary>
public static class MinerHealthClassifier
{
    public static MinerPollOutcome FromResult(MinerReadResult result, Hashrate? configuredNominal, double degradedBelowPercent)
    {
        ArgumentNullException.ThrowIfNull(result);
        return result.IsSuccess
            ? FromSnapshot(result.Snapshot, configuredNominal, degradedBelowPercent)
            : FromError(result.Error);
    }

    public static MinerPollOutcome FromSnapshot(MinerSnapshot snapshot, Hashrate? configuredNominal, double degradedBelowPercent)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        Hashrate? rate = snapshot.Hashrate5s ?? snapshot.HashrateAverage;
        if (rate is null)
        {
            return new MinerPollOutcome(MinerHealthState.NotHashing, "answers but reports no hashrate") { Snapshot = snapshot };
        }

        if (rate.Value <= Hashrate.Zero)
        {
            return new MinerPollOutcome(MinerHealthState.NotHashing, "answers but hashes 0 H/s") { Snapshot = snapshot };
        }

        Hashrate? nominal = configuredNominal ?? snapshot.HashrateNominal;
        if (nominal is { } n && n > Hashrate.Zero)
        {
            double percent = rate.Value / n * 100;
            string share = percent.ToString("F0", CultureInfo.InvariantCulture);
            if (percent < degradedBelowPercent)
            {
                return new MinerPollOutcome(MinerHealthState.Degraded, $"hashing {rate.Value}, {share} % of nominal {n}") { Snapshot = snapshot };
            }

            return new MinerPollOutcome(MinerHealthState.Ok, $"hashing {rate.Value}, {share} % of nominal {n}") { Snapshot = snapshot };
        }

        return new MinerPollOutcome(MinerHealthState.Ok, $"hashing {rate.Value}") { Snapshot = snapshot };
    }

    public static MinerPollOutcome FromError(MinerApiError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        MinerHealthState state = error.Kind switch
        {
            MinerApiErrorKind.Unreachable => MinerHealthState.Unreachable,
            MinerApiErrorKind.Timeout => MinerHealthState.Timeout,
            MinerApiErrorKind.MalformedReply => MinerHealthState.Malformed,
            MinerApiErrorKind.AccessDenied => MinerHealthState.AccessDenied,
            _ => MinerHealthState.Failing,
        };
        string text = SecretRedactor.Redact(error.ToString());
        return new MinerPollOutcome(state, text) { Error = text };
    }

    /// <summary>The poll that opened the circuit: same error, but the state says the miner will now be skipped.</summary>
    public static MinerPollOutcome CircuitOpened(MinerPollOutcome failure, int failuresInARow, TimeSpan breakDuration)
    {
        ArgumentNullException.ThrowIfNull(failure);
        return new MinerPollOutcome(
            MinerHealthState.CircuitOpen,
            $"{failuresInARow} failed polls in a row, skipping it for {breakDuration}; last error: {failure.Error}")
        {
            Error = failure.Error,
        };
    }

    /// <summary>Exceptions only come from the resilience strategies (open circuit, attempt timeout) or from a reader bug.</summary>
    public static MinerPollOutcome FromException(Exception exception, MinerPollStatus previous, TimeSpan breakDuration)
    {
        ArgumentNullException.ThrowIfNull(exception);
        ArgumentNullException.ThrowIfNull(previous);
        switch (exception)
        {
            case BrokenCircuitException:
                string last = previous.LastError is null ? string.Empty : $"; last error: {previous.LastError}";
                return new MinerPollOutcome(
                    MinerHealthState.CircuitOpen,
                    $"skipped after repeated failed polls, probing again every {breakDuration}{last}")
                {
                    Error = previous.LastError ?? "circuit open",
                };
            case TimeoutRejectedException t:
                string timeout = $"Timeout: no complete reply within {t.Timeout}";
                return new MinerPollOutcome(MinerHealthState.Timeout, timeout) { Error = timeout };
            default:
                string text = SecretRedactor.Redact($"{exception.GetType().Name}: {exception.Message}");
                return new MinerPollOutcome(MinerHealthState.Failing, text) { Error = text };
        }
    }
}
