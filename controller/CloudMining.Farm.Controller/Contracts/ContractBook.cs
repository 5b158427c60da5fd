using CloudMining.Farm.Controller.Proof;
using CloudMining.Farm.Controller.Store;
using CloudMining.Farm.Shared.Wire;

namespace CloudMining.Farm.Controller.Contracts;

/// <summary>
/// The site's contracts as stored, and which have ended (by the operator, the margin rule, or their term): what is
/// active, what occupies units, each one's status, and whose pool account delivered work belongs to. The engine's lock
/// serialises every call.
/// </summary>
public sealed class ContractBook(IControllerStore store)
{
    private readonly IControllerStore _store = store ?? throw new ArgumentNullException(nameof(store));
    private List<Contract> _contracts = [];
    private Dictionary<string, ContractEnding> _endings = new(StringComparer.Ordinal);

    /// <summary>Every contract, ended ones included (they keep their id for the ledger), in the order added.</summary>
    public IReadOnlyList<Contract> All => _contracts;

    /// <summary>How and when ended contracts ended, by contract id.</summary>
    public IReadOnlyDictionary<string, ContractEnding> Endings => _endings;

    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        _contracts = [.. await _store.GetContractsAsync(cancellationToken)];
        _endings = new Dictionary<string, ContractEnding>(await _store.GetContractEndingsAsync(cancellationToken), StringComparer.Ordinal);
    }

    public Contract? Find(string contractId) => _contracts.FirstOrDefault(c => c.Id == contractId);

    /// <summary>Contracts within their term and not ended: those the allocator serves.</summary>
    public IEnumerable<Contract> ActiveAt(DateTimeOffset now) =>
        _contracts.Where(c => !_endings.ContainsKey(c.Id) && c.Term.IsActiveAt(now));

    /// <summary>Contracts that occupy units: not ended and not past their term (pending ones included).</summary>
    public IEnumerable<Contract> SoldAt(DateTimeOffset now) =>
        _contracts.Where(c => !_endings.ContainsKey(c.Id) && (c.Term.End is null || c.Term.End > now));

    /// <summary>Contracts not ended (by anyone; their term may be over), by id: whose pools desired state may name.</summary>
    public Dictionary<string, Contract> NotEndedById() =>
        _contracts.Where(c => !_endings.ContainsKey(c.Id)).ToDictionary(c => c.Id, StringComparer.Ordinal);

    /// <summary><see cref="ContractStatus.Pending"/>, <see cref="ContractStatus.Active"/> or <see cref="ContractStatus.Ended"/> at <paramref name="now"/>.</summary>
    public ContractStatus StatusOf(Contract c, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(c);
        return _endings.ContainsKey(c.Id) || (c.Term.End is { } end && end <= now) ? ContractStatus.Ended : c.Term.Start > now ? ContractStatus.Pending : ContractStatus.Active;
    }

    /// <summary>When the contract ends: when it was ended, else the end of its term (null: open-ended).</summary>
    public DateTimeOffset? UntilOf(Contract c)
    {
        ArgumentNullException.ThrowIfNull(c);
        return _endings.TryGetValue(c.Id, out ContractEnding? ending) ? ending.EndedAt : c.Term.End;
    }

    /// <summary>The pool account of every contract not ended, so delivered work can be attributed.</summary>
    public Dictionary<PoolKey, string> PoolIndex(DateTimeOffset now)
    {
        var map = new Dictionary<PoolKey, string>();
        foreach (Contract c in _contracts)
        {
            if (StatusOf(c, now) != ContractStatus.Ended)
            {
                map.TryAdd(PoolKey.Of(c.Pool.Url, c.Pool.Worker), c.Id);
            }
        }

        return map;
    }

    /// <summary>Refuses a contract whose id is taken or whose pool account is another contract's or the house's.</summary>
    public void EnsureAddable(Contract contract, HousePool? house)
    {
        ArgumentNullException.ThrowIfNull(contract);
        if (_contracts.Any(c => string.Equals(c.Id, contract.Id, StringComparison.OrdinalIgnoreCase)))
        {
            throw new InvalidOperationException($"A contract with id '{contract.Id}' already exists (ended contracts keep their id for the ledger); choose another id.");
        }

        PoolKey key = PoolKey.Of(contract.Pool.Url, contract.Pool.Worker);
        if (_contracts.FirstOrDefault(c => !_endings.ContainsKey(c.Id) && PoolKey.Of(c.Pool.Url, c.Pool.Worker) == key) is { } clash)
        {
            throw new ContractValidationException("pool.worker", $"'{contract.Pool.Worker}' on {contract.Pool.Url} is already the pool account of contract '{clash.Id}'; each contract needs its own worker so its delivered hashrate can be proven.");
        }

        if (house is not null && PoolKey.Of(house.Pool.Url, house.Pool.Worker) == key)
        {
            throw new ContractValidationException("pool.worker", $"'{contract.Pool.Worker}' on {contract.Pool.Url} is the operator's house pool account; a contract needs the customer's own account.");
        }
    }

    /// <summary>Stores a contract (checked with <see cref="EnsureAddable"/>) and adds it.</summary>
    public Task AddAsync(Contract contract, CancellationToken cancellationToken) => AddAsync(contract, null, null, cancellationToken);

    /// <summary>As <see cref="AddAsync(Contract, CancellationToken)"/>, with the contract's pool watch and settlement terms when given.</summary>
    public async Task AddAsync(Contract contract, PoolSide.PoolWatch? watch, Settlement.SettlementTerms? terms, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(contract);
        if ((watch is not null && _store is not PoolSide.IPoolSideStore) || (terms is not null && _store is not Settlement.ISettlementStore))
        {
            throw new InvalidOperationException($"The controller store {_store.GetType().Name} keeps no pool watches or settlement terms; use the SQLite store.");
        }

        await _store.UpsertContractAsync(contract, cancellationToken);
        if (watch is not null)
        {
            await ((PoolSide.IPoolSideStore)_store).SetPoolWatchAsync(contract.Id, watch, cancellationToken);
        }

        if (terms is not null)
        {
            await ((Settlement.ISettlementStore)_store).SetSettlementTermsAsync(contract.Id, terms, cancellationToken);
        }

        _contracts.Add(contract);
    }

    /// <summary>Ends a contract now, stored with the reason.</summary>
    public async Task EndAsync(string contractId, DateTimeOffset now, string reason, CancellationToken cancellationToken)
    {
        await _store.EndContractAsync(contractId, now, reason, cancellationToken);
        _endings[contractId] = new ContractEnding(now, reason);
    }
}
