using CloudMining.Farm.Controller.Contracts;
using CloudMining.Farm.Controller.Store;
using Microsoft.Extensions.Logging;

namespace CloudMining.Farm.Controller.PoolSide;

/// <summary>
/// One round of pool-side verification: reads every active contract's pool watch that is due through its adapter,
/// stores the pool's TH·h per hour beside our ledger (<see cref="PoolSideHours"/>), and compares the pool's hashrate
/// with the one we proved (<see cref="PoolDiscrepancyMonitor"/>); a discrepancy held long enough is logged, stored and
/// returned. A refused key or an unreachable pool is logged once per change and retried on the next round. Keys never
/// reach a log line. Rounds must not overlap (<see cref="PoolSideService"/> runs them one after the other).
/// </summary>
public sealed partial class PoolSideVerifier
{
    private readonly IControllerStore _store;
    private readonly IPoolSideStore _poolStore;
    private readonly Dictionary<PoolApiKind, IPoolSideAdapter> _adapters;
    private readonly Func<string, double?> _oursHs;
    private readonly PoolSideOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly PoolDiscrepancyMonitor _monitor;
    private readonly Dictionary<string, DateTimeOffset> _nextDue = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _lastProblem = new(StringComparer.Ordinal);

    // Since when each contract's worker has been read without a gap longer than the hours' credit cap.
    private readonly Dictionary<string, (DateTimeOffset Since, DateTimeOffset Last)> _watched = new(StringComparer.Ordinal);

    // Contracts whose stored figure of the hour in progress was taken up (once per process: a restart mid-hour).
    private readonly HashSet<string> _resumed = new(StringComparer.Ordinal);

    public PoolSideVerifier(IControllerStore store, IPoolSideStore poolStore, IEnumerable<IPoolSideAdapter> adapters, Func<string, double?> oursHs, PoolSideOptions options, TimeProvider time, ILogger<PoolSideVerifier> logger)
    {
        ArgumentNullException.ThrowIfNull(adapters);
        _store = store ?? throw new ArgumentNullException(nameof(store));
        _poolStore = poolStore ?? throw new ArgumentNullException(nameof(poolStore));
        _adapters = adapters.ToDictionary(a => a.Kind);
        _oursHs = oursHs ?? throw new ArgumentNullException(nameof(oursHs));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _monitor = new PoolDiscrepancyMonitor(options.TolerancePercent / 100, options.Hold, time);
        Hours = new PoolSideHours(options.PollInterval * 3);
    }

    /// <summary>The pool's TH·h per contract and hour accumulated so far (stored after each round).</summary>
    public PoolSideHours Hours { get; }

    /// <summary>Reads what is due, stores the pool's hours, and returns the discrepancies raised in this round.</summary>
    public async Task<IReadOnlyList<PoolDiscrepancy>> RunOnceAsync(CancellationToken cancellationToken)
    {
        DateTimeOffset now = _time.GetUtcNow();
        IReadOnlyDictionary<string, PoolWatch> watches = await _poolStore.GetPoolWatchesAsync(cancellationToken);
        if (watches.Count == 0)
        {
            return [];
        }

        IReadOnlyDictionary<string, ContractEnding> endings = await _store.GetContractEndingsAsync(cancellationToken);
        Dictionary<string, Contract> contracts = (await _store.GetContractsAsync(cancellationToken)).ToDictionary(c => c.Id, StringComparer.Ordinal);
        var raised = new List<PoolDiscrepancy>();
        foreach ((string contractId, PoolWatch watch) in watches)
        {
            if (!contracts.TryGetValue(contractId, out Contract? contract) || endings.ContainsKey(contractId) || !contract.Term.IsActiveAt(now))
            {
                _monitor.Forget(contractId);
                _watched.Remove(contractId);
                continue;
            }

            if (_nextDue.TryGetValue(contractId, out DateTimeOffset due) && now < due)
            {
                continue;
            }

            if (await ReadAsync(contractId, watch, now, cancellationToken) is not { } reading)
            {
                continue;
            }

            if (_resumed.Add(contractId))
            {
                DateTimeOffset hour = Ledger.HourlyLedger.HourOf(reading.ReadAt);
                foreach (PoolSideHour stored in await _poolStore.GetPoolSideHoursAsync(contractId, hour, hour.AddHours(1), cancellationToken))
                {
                    Hours.Seed(stored);
                }
            }

            Hours.Credit(contractId, reading);
            if (_monitor.Observe(contractId, watch.Worker, _oursHs(contractId), reading.HashrateHs, Partial(contractId, contract, reading)) is { } discrepancy)
            {
                raised.Add(discrepancy);
                await _poolStore.RecordDiscrepancyAsync(discrepancy, cancellationToken);
                LogDiscrepancy(_logger, contractId, watch.Kind, watch.Worker, discrepancy.PoolHs / 1e12, discrepancy.OursHs / 1e12, discrepancy.Deviation, discrepancy.Since);
            }
        }

        await _poolStore.SavePoolSideHoursAsync(Hours.Drain(Ledger.HourlyLedger.HourOf(now)), cancellationToken);
        return raised;
    }

    /// <summary>
    /// True when the pool's figure averages over time the watch did not cover or the contract did not run yet (the
    /// first hour of an hourly average, or after a gap in reading): it reads low there, so it is not compared.
    /// </summary>
    private bool Partial(string contractId, Contract contract, PoolWorkerReading reading)
    {
        DateTimeOffset at = reading.ReadAt;
        DateTimeOffset since = _watched.TryGetValue(contractId, out var w) && at - w.Last <= Hours.Cap ? w.Since : at;
        _watched[contractId] = (since, at);
        DateTimeOffset covered = since > contract.Term.Start ? since : contract.Term.Start;
        return at - reading.Window < covered;
    }

    private async Task<PoolWorkerReading?> ReadAsync(string contractId, PoolWatch watch, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (!_adapters.TryGetValue(watch.Kind, out IPoolSideAdapter? adapter))
        {
            Problem(contractId, watch, $"no adapter for {watch.Kind} is registered");
            return null;
        }

        TimeSpan interval = _options.PollInterval > adapter.MinimumInterval ? _options.PollInterval : adapter.MinimumInterval;
        _nextDue[contractId] = now + interval;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_options.RequestTimeout);
            PoolWorkerReading reading = await adapter.ReadAsync(watch, timeout.Token);
            if (_lastProblem.Remove(contractId))
            {
                LogRecovered(_logger, contractId, watch.Kind, watch.Worker);
            }

            return reading;
        }
        catch (PoolRateLimitedException e)
        {
            _nextDue[contractId] = e.RetryAt is { } retry && retry > now + interval ? retry : now + interval;
            Problem(contractId, watch, e.Message);
        }
        catch (PoolKeyRefusedException e)
        {
            Problem(contractId, watch, e.Message);
        }
        catch (PoolApiException e)
        {
            Problem(contractId, watch, e.Message);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            Problem(contractId, watch, $"{watch.Kind} API at {watch.ApiUrl} did not answer within {_options.RequestTimeout.TotalSeconds:0} s (Controller:PoolSide:RequestTimeout)");
        }

        return null;
    }

    private void Problem(string contractId, PoolWatch watch, string problem)
    {
        if (_lastProblem.TryGetValue(contractId, out string? last) && last == problem)
        {
            return;
        }

        _lastProblem[contractId] = problem;
        LogReadFailed(_logger, contractId, watch.Kind, watch.Worker, watch.Key.Scrub(problem));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Pool-side check of contract {ContractId}: {Kind} reports {PoolTh:0.###} TH/s for worker {Worker} where we proved {OursTh:0.###} TH/s ({Deviation:P1}) since {Since:O}")]
    private static partial void LogDiscrepancy(ILogger logger, string contractId, PoolApiKind kind, string worker, double poolTh, double oursTh, double deviation, DateTimeOffset since);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Pool-side check of contract {ContractId} ({Kind}, worker {Worker}) failed: {Problem}")]
    private static partial void LogReadFailed(ILogger logger, string contractId, PoolApiKind kind, string worker, string problem);

    [LoggerMessage(Level = LogLevel.Information, Message = "Pool-side check of contract {ContractId} ({Kind}, worker {Worker}) reads the pool again")]
    private static partial void LogRecovered(ILogger logger, string contractId, PoolApiKind kind, string worker);
}
