using CloudMining.Farm.Controller.Contracts;
using CloudMining.Farm.Controller.Ledger;
using CloudMining.Farm.Controller.Operations;
using CloudMining.Farm.Controller.Proof;
using CloudMining.Farm.Controller.Settlement;
using CloudMining.Farm.Shared.Wire;

namespace CloudMining.Farm.Controller.Engine;

// IProofOperations: a contract's hours with the pool's figure and the miners that served them, and the settlements,
// read under the engine's lock so the hour in progress and the closed rows never overlap.
public sealed partial class ControllerEngine : IProofOperations
{
    public Task<ContractProofView> GetContractProofAsync(string contractId, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken) =>
        LockedAsync(
            async now =>
            {
                Contract contract = _contracts.Find(contractId)
                    ?? throw new KeyNotFoundException($"No contract '{contractId}'; `farmctl contracts list` shows the ids.");
                ContractView view = _views.DescribeContract(contract, now);
                IReadOnlyList<LedgerEntry> closed = await _ledger.RowsAsync([contract], from, to, cancellationToken);
                DateTimeOffset currentHour = HourlyLedger.HourOf(now);
                bool openInRange = currentHour >= from && currentHour < to && view.Status == ContractStatus.Active;
                LedgerEntry? open = openInRange ? _ledger.OpenRow(contract, now, _contracts.UntilOf(contract)) : null;
                IReadOnlyList<ProofHourView> hours = ContractProofBuilder.Hours(
                    closed,
                    open,
                    await _proofReader.PoolHoursAsync(contract.Id, from, to, cancellationToken),
                    await _proofReader.Recorder.RowsAsync(contract.Id, from, to, cancellationToken));
                IReadOnlyList<ContractSettlement> settlements = await _proofReader.SettlementsAsync(contract.Id, from.AddDays(-1), to, cancellationToken);
                return new ContractProofView(
                    contract.Id,
                    contract.Customer,
                    view.Status,
                    view.TargetHs,
                    view.DeliveredHs,
                    contract.Pool.Url,
                    contract.Pool.Worker,
                    from,
                    to,
                    hours,
                    [.. settlements.Where(s => s.PeriodEnd > from).Select(ContractProofBuilder.View)],
                    view.Shares)
                {
                    PoolWatch = await _proofReader.PoolWatchKindAsync(contract.Id, cancellationToken),
                };
            },
            cancellationToken);

    public Task<IReadOnlyList<SettlementView>> GetSettlementsAsync(string? contractId, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken) =>
        LockedAsync<IReadOnlyList<SettlementView>>(
            async now =>
            {
                if (contractId is not null && _contracts.Find(contractId) is null)
                {
                    throw new KeyNotFoundException($"No contract '{contractId}'; `farmctl contracts list` shows the ids.");
                }

                IReadOnlyList<ContractSettlement> rows = await _proofReader.SettlementsAsync(contractId, from, to, cancellationToken);
                return [.. rows.Select(ContractProofBuilder.View)];
            },
            cancellationToken);
}
