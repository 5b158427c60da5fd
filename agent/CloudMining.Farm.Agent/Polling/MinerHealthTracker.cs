using CloudMining.Farm.Agent.Configuration;
using Microsoft.Extensions.Logging;

namespace CloudMining.Farm.Agent.Polling;

/// <summary>Holds the latest <see cref="MinerPollStatus"/> of every miner and logs exactly one line each time a miner's state changes.</summary>
public sealed partial class MinerHealthTracker
{
    private readonly MinerPollStatus[] _miners;
    private readonly ILogger _logger;

    public MinerHealthTracker(IReadOnlyList<MinerOptions> configured, ILogger<MinerHealthTracker> logger)
    {
        ArgumentNullException.ThrowIfNull(configured);
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _miners = configured.Select(m => new MinerPollStatus
        {
            MinerId = m.Id,
            Endpoint = m.Endpoint,
            ConfiguredProfile = m.Profile,
        }).ToArray();
    }

    public int Count => _miners.Length;

    /// <summary>Each slot is replaced whole, so readers on other threads see one poll's result or the next, never half of one.</summary>
    public MinerPollStatus this[int index] => Volatile.Read(ref _miners[index]);

    public MinerPollStatus? Find(string minerId)
    {
        for (int i = 0; i < _miners.Length; i++)
        {
            MinerPollStatus m = this[i];
            if (string.Equals(m.MinerId, minerId, StringComparison.OrdinalIgnoreCase))
            {
                return m;
            }
        }

        return null;
    }

    /// <summary>A copy of every miner's current health, in configuration order.</summary>
    public IReadOnlyList<MinerPollStatus> Current()
    {
        var copy = new MinerPollStatus[_miners.Length];
        for (int i = 0; i < copy.Length; i++)
        {
            copy[i] = this[i];
        }

        return copy;
    }

    /// <summary>Folds one poll's outcome into the miner's health; only one poll per miner runs at a time.</summary>
    public MinerPollStatus Record(int index, MinerPollOutcome outcome, DateTimeOffset at, TimeSpan duration)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        MinerPollStatus previous = this[index];
        MinerPollStatus next = outcome.IsSuccess
            ? previous with
            {
                State = outcome.State,
                Reason = outcome.Reason,
                Snapshot = outcome.Snapshot,
                LastSuccessAt = at,
                LastPolledAt = at,
                LastPollDuration = duration,
                ConsecutiveFailures = 0,
                Successes = previous.Successes + 1,
            }
            : previous with
            {
                State = outcome.State,
                Reason = outcome.Reason,
                LastError = outcome.Error ?? outcome.Reason,
                LastErrorAt = at,
                LastPolledAt = at,
                LastPollDuration = duration,
                ConsecutiveFailures = previous.ConsecutiveFailures + 1,
                Failures = previous.Failures + 1,
            };
        Volatile.Write(ref _miners[index], next);

        LogLevel level = next.State == MinerHealthState.Ok ? LogLevel.Information : LogLevel.Warning;
        if (next.State != previous.State && _logger.IsEnabled(level))
        {
            string address = next.Endpoint.ToString();
            string state = next.State.ToString();
            LogStateChanged(_logger, level, next.MinerId, address, state, next.Reason);
        }

        return next;
    }

    [LoggerMessage(Message = "Miner {MinerId} at {Address} is now {State}: {Reason}")]
    private static partial void LogStateChanged(ILogger logger, LogLevel level, string minerId, string address, string state, string reason);
}
