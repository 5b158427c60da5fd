using CloudMining.Farm.ControlApi;
using CloudMining.Farm.Controller.Contracts;
using CloudMining.Farm.Controller.Ledger;
using CloudMining.Farm.Controller.PoolSide;
using CloudMining.Farm.Controller.Store;
using Microsoft.Extensions.Logging;

namespace CloudMining.Farm.Controller.Settlement;

/// <summary>
/// Closes each contract's settlement periods once every hour of them is in the ledger (the period is over, or the
/// contract ended inside it): settles with <see cref="SettlementCalculator"/> under the contract's terms (else the
/// defaults), adds the pool's own TH·h where a pool watch read it, and stores the result, which is final. Checked once per
/// hour; the engine's lock serialises calls.
/// </summary>
public sealed partial class ContractSettler
{
    private readonly IControllerStore _store;
    private readonly ISettlementStore? _settlements;
    private readonly IPoolSideStore? _poolSide;
    private readonly SettlementOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Dictionary<string, DateTimeOffset> _settledUntil = new(StringComparer.Ordinal);
    private DateTimeOffset? _lastCheckHour;

    /// <summary>A settler over <paramref name="settlements"/>; null (a store that keeps no settlements) settles nothing.</summary>
    public ContractSettler(IControllerStore store, ISettlementStore? settlements, IPoolSideStore? poolSide, SettlementOptions options, TimeProvider time, ILogger<ContractSettler> logger)
    {
        _store = store ?? throw new ArgumentNullException(nameof(store));
        _settlements = settlements;
        _poolSide = poolSide;
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _options.DefaultTerms();
        SettlementCalculator.PeriodStartOf(DateTimeOffset.UnixEpoch, _options.Period);
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
    }

    /// <summary>How far back <see cref="RecentAsync"/> looks for each contract's latest settlement, in settlement periods.</summary>
    public const int RecentPeriods = 8;

    /// <summary>
    /// The settlements closed in the last <see cref="RecentPeriods"/> periods before <paramref name="now"/> (all
    /// contracts, by period): what a controller that restarted hands the platform publisher again, so each contract's
    /// latest settlement rides on its allocation message as before the restart. Empty without a settlement store.
    /// </summary>
    public async Task<IReadOnlyList<ContractSettlement>> RecentAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        _settlements is null
            ? []
            : await _settlements.GetSettlementsAsync(null, now - (_options.Period * RecentPeriods), DateTimeOffset.MaxValue, cancellationToken);

    /// <summary>Settles every period due by <paramref name="now"/>; returns the settlements closed in this call.</summary>
    public async Task<IReadOnlyList<ContractSettlement>> CloseDueAsync(DateTimeOffset now, DateTimeOffset ledgerOrigin, IEnumerable<Contract> contracts, IReadOnlyDictionary<string, ContractEnding> endings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(contracts);
        ArgumentNullException.ThrowIfNull(endings);
        DateTimeOffset closedHours = HourlyLedger.HourOf(now);
        if (_settlements is null || _lastCheckHour == closedHours)
        {
            return [];
        }

        _lastCheckHour = closedHours;
        IReadOnlyDictionary<string, SettlementTerms> terms = await _settlements.GetSettlementTermsAsync(cancellationToken);
        var closed = new List<ContractSettlement>();
        foreach (Contract c in contracts)
        {
            DateTimeOffset? end = endings.TryGetValue(c.Id, out ContractEnding? ending) && (c.Term.End is null || ending.EndedAt < c.Term.End) ? ending.EndedAt : c.Term.End;
            DateTimeOffset first = SettlementCalculator.PeriodStartOf(c.Term.Start > ledgerOrigin ? c.Term.Start : ledgerOrigin, _options.Period);
            DateTimeOffset from = await SettledUntilAsync(c.Id, first, cancellationToken);
            for (DateTimeOffset start = from; ; start += _options.Period)
            {
                DateTimeOffset periodEnd = start + _options.Period;
                bool over = periodEnd <= closedHours;
                bool endedInside = end is { } e && e <= periodEnd && HourlyLedger.HourOf(e) < closedHours;
                if ((end is { } stop && start >= stop) || !(over || endedInside))
                {
                    break;
                }

                IReadOnlyList<LedgerEntry> rows = await _store.GetLedgerAsync(c.Id, start, periodEnd, cancellationToken);
                double? poolThh = null, poolHoursWatched = null;
                if (_poolSide is not null && await _poolSide.GetPoolSideHoursAsync(c.Id, start, periodEnd, cancellationToken) is { Count: > 0 } poolHours)
                {
                    // The pool's figure is what it credited while watched; how long that was goes with it, so a reader
                    // never compares a partly watched period's pool figure with our whole period as if it were whole.
                    poolThh = poolHours.Sum(h => h.PoolTerahashHours);
                    poolHoursWatched = Math.Min(poolHours.Sum(h => Math.Clamp(h.ObservedSeconds, 0, 3600)) / 3600, (periodEnd - start).TotalHours);
                }

                ContractSettlement s = SettlementCalculator.Settle(c, terms.GetValueOrDefault(c.Id) ?? _options.DefaultTerms(), start, periodEnd, rows, poolThh, _time.GetUtcNow()) with { PoolObservedHours = poolHoursWatched };
                if (await _settlements.CloseSettlementAsync(s, cancellationToken))
                {
                    closed.Add(s);
                    LogSettled(_logger, c.Id, start, s.TargetTerahashHours, s.DeliveredTerahashHours, s.MakeGoodTerahashHours, s.MakeGood, s.ExtraHours, s.Credit);
                }

                _settledUntil[c.Id] = periodEnd;
            }
        }

        return closed;
    }

    private async Task<DateTimeOffset> SettledUntilAsync(string contractId, DateTimeOffset first, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(_settlements);
        if (!_settledUntil.TryGetValue(contractId, out DateTimeOffset until))
        {
            IReadOnlyList<ContractSettlement> done = await _settlements.GetSettlementsAsync(contractId, DateTimeOffset.UnixEpoch, DateTimeOffset.MaxValue, cancellationToken);
            until = done.Count > 0 ? done.Max(s => s.PeriodEnd) : first;
            _settledUntil[contractId] = until;
        }

        return until > first ? until : first;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Settled contract {ContractId} for the period from {Start:O}: target {Target:0.###} TH·h, delivered {Delivered:0.###} TH·h, {Missing:0.###} TH·h beyond the tolerance made good as {MakeGood} ({ExtraHours:0.###} extra hours, credit {Credit})")]
    private static partial void LogSettled(ILogger logger, string contractId, DateTimeOffset start, double target, double delivered, double missing, MakeGoodKind makeGood, double extraHours, decimal credit);
}
