using System.Globalization;
using CloudMining.Farm.Controller.Allocation;
using CloudMining.Farm.Controller.Contracts;
using CloudMining.Farm.Controller.Engine;
using CloudMining.Farm.Controller.Proof;
using CloudMining.Farm.Controller.Store;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CloudMining.Farm.Controller.Ledger;

/// <summary>
/// The hourly ledger in the engine's loop: credits delivered work and the energy of each contract's shares into the
/// open hours (<see cref="HourlyLedger"/>), closes completed hours into the store, and once per hour finds the
/// open-ended contracts whose margin has been negative for their N days (<see cref="NegativeMarginRule"/>).
/// </summary>
public sealed partial class ContractLedger
{
    private readonly IControllerStore _store;
    private readonly EngineOptions _options;

    // Energy is credited over at most three ticks after a gap (a stalled controller must not credit hours it slept).
    private readonly TimeSpan _creditCap;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private HourlyLedger? _ledger;
    private DateTimeOffset? _lastCredited;
    private DateTimeOffset? _lastMarginCheckHour;
    private Func<string, DateTimeOffset, double>? _curtailed;

    public ContractLedger(IControllerStore store, IOptions<EngineOptions> options, TimeProvider time, ILogger<ContractLedger> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _store = store ?? throw new ArgumentNullException(nameof(store));
        _options = options.Value;
        _creditCap = _options.Durations().TickInterval * 3;
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
    }

    /// <summary>Where the ledger starts (stored on the first start), its open hours and the last closed hour per contract.</summary>
    public async Task<DateTimeOffset> LoadAsync(CancellationToken cancellationToken)
    {
        DateTimeOffset origin;
        if (await _store.GetMetaAsync(HourlyLedger.OriginKey, cancellationToken) is { } text)
        {
            origin = DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
        }
        else
        {
            origin = HourlyLedger.HourOf(_time.GetUtcNow());
            await _store.SetMetaAsync(HourlyLedger.OriginKey, origin.ToString("O", CultureInfo.InvariantCulture), cancellationToken);
        }

        _ledger = new HourlyLedger(origin, _options.ElectricityPricePerKwh, await _store.LoadOpenLedgerAsync(cancellationToken), await _store.GetLastLedgerHoursAsync(cancellationToken))
        {
            Curtailed = _curtailed,
        };
        return origin;
    }

    /// <summary>The curtailed TH·h of a contract-hour, excused from its shortfall (see <see cref="HourlyLedger.Curtailed"/>).</summary>
    public Func<string, DateTimeOffset, double>? Curtailed
    {
        get => _curtailed;
        set
        {
            _curtailed = value;
            if (_ledger is not null)
            {
                _ledger.Curtailed = value;
            }
        }
    }

    /// <summary>Credits delivered work to the contracts' open hours.</summary>
    public void CreditDelivered(IEnumerable<DeliveryCredit> credits)
    {
        ArgumentNullException.ThrowIfNull(credits);
        HourlyLedger ledger = Loaded();
        foreach (DeliveryCredit credit in credits)
        {
            ledger.CreditDelivered(credit.ContractId, credit.From, credit.To, credit.Difficulty);
        }
    }

    /// <summary>
    /// Credits each miner's power × its contract shares since the previous credit (not across a gap much longer than
    /// the loop: the controller was stopped, nothing was observed), then remembers <paramref name="now"/>.
    /// </summary>
    public void CreditEnergy(DateTimeOffset now, IReadOnlyDictionary<string, double> powerW, IReadOnlyDictionary<string, IReadOnlyList<PoolShare>> assignments)
    {
        ArgumentNullException.ThrowIfNull(powerW);
        ArgumentNullException.ThrowIfNull(assignments);
        HourlyLedger ledger = Loaded();
        if (_lastCredited is not { } previous || now <= previous)
        {
            return;
        }

        DateTimeOffset from = now - previous > _creditCap ? now - _creditCap : previous;
        foreach ((string minerId, double watts) in powerW)
        {
            if (!assignments.TryGetValue(minerId, out IReadOnlyList<PoolShare>? shares))
            {
                continue;
            }

            foreach (PoolShare share in shares)
            {
                if (share.Assignee != HousePool.AssigneeId)
                {
                    ledger.CreditEnergy(share.Assignee, from, now, watts * share.Fraction);
                }
            }
        }
    }

    /// <summary>A tick completed at <paramref name="now"/>: the next energy credit starts here.</summary>
    public void TickCompleted(DateTimeOffset now) => _lastCredited = now;

    /// <summary>Closes the hours completed by <paramref name="now"/> into the store, with the open hours.</summary>
    public async Task CloseCompletedHoursAsync(DateTimeOffset now, IEnumerable<Contract> contracts, IReadOnlyDictionary<string, ContractEnding> endings, CancellationToken cancellationToken)
    {
        HourlyLedger ledger = Loaded();
        IReadOnlyList<LedgerEntry> rows = ledger.CloseCompletedHours(now, contracts, endings);
        await _store.CloseLedgerHoursAsync(rows, ledger.OpenHours(), cancellationToken);
        if (rows.Count > 0 && _logger.IsEnabled(LogLevel.Information))
        {
            DateTimeOffset last = rows.Max(r => r.Hour);
            LogClosed(_logger, rows.Count, last);
        }
    }

    /// <summary>
    /// The open-ended contracts among <paramref name="active"/> whose margin was negative for their N days, with the
    /// reason to store; checked once per hour, and only when Controller:Engine:HashpricePerThDay is set.
    /// </summary>
    public async Task<IReadOnlyList<(Contract Contract, string Reason)>> DueForTerminationAsync(IEnumerable<Contract> active, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(active);
        DateTimeOffset hour = HourlyLedger.HourOf(now);
        if (_options.HashpricePerThDay is not decimal hashprice || _lastMarginCheckHour == hour)
        {
            return [];
        }

        _lastMarginCheckHour = hour;
        var due = new List<(Contract, string)>();
        foreach (Contract c in active.Where(c => c.Term.Kind == ContractTermKind.OpenEnded).ToList())
        {
            int days = c.Term.NegativeMarginDays!.Value;
            DateTimeOffset from = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero).AddDays(-days);
            IReadOnlyList<LedgerEntry> rows = await _store.GetLedgerAsync(c.Id, from, now, cancellationToken);
            if (NegativeMarginRule.ShouldTerminate(rows, days, hashprice, _options.ElectricityPricePerKwh, now, c.Term.Start))
            {
                due.Add((c, $"negative margin for {days} day(s) at a hashprice of {hashprice} per TH/day and electricity at {_options.ElectricityPricePerKwh} per kWh"));
            }
        }

        return due;
    }

    /// <summary>The stored rows of <paramref name="contracts"/> between two hours, by hour then contract.</summary>
    public async Task<IReadOnlyList<LedgerEntry>> RowsAsync(IEnumerable<Contract> contracts, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(contracts);
        var rows = new List<LedgerEntry>();
        foreach (Contract c in contracts)
        {
            rows.AddRange(await _store.GetLedgerAsync(c.Id, from, to, cancellationToken));
        }

        return [.. rows.OrderBy(r => r.Hour).ThenBy(r => r.ContractId, StringComparer.Ordinal)];
    }

    /// <summary>The hour in progress of <paramref name="contract"/>, as it stands at <paramref name="now"/> (see <see cref="HourlyLedger.OpenRow"/>).</summary>
    public LedgerEntry OpenRow(Contract contract, DateTimeOffset now, DateTimeOffset? end) => Loaded().OpenRow(contract, now, end);

    private HourlyLedger Loaded() => _ledger ?? throw new InvalidOperationException("The ledger is used before LoadAsync.");

    [LoggerMessage(Level = LogLevel.Information, Message = "Ledger: closed {Rows} contract-hour row(s) up to {Hour:O}")]
    private static partial void LogClosed(ILogger logger, int rows, DateTimeOffset hour);
}
