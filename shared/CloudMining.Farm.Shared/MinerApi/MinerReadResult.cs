using System.Diagnostics.CodeAnalysis;
using CloudMining.Farm.Shared.Snapshots;

namespace CloudMining.Farm.Shared.MinerApi;

/// <summary>The outcome of reading one miner: a snapshot, or the error that explains why there is none.</summary>
public sealed record MinerReadResult
{
    private MinerReadResult(MinerSnapshot? snapshot, MinerApiError? error)
    {
        Snapshot = snapshot;
        Error = error;
    }

    public MinerSnapshot? Snapshot { get; }

    public MinerApiError? Error { get; }

    [MemberNotNullWhen(true, nameof(Snapshot))]
    [MemberNotNullWhen(false, nameof(Error))]
    public bool IsSuccess => Snapshot is not null;

    public static MinerReadResult Success(MinerSnapshot snapshot) => new(snapshot ?? throw new ArgumentNullException(nameof(snapshot)), null);

    public static MinerReadResult Failure(MinerApiError error) => new(null, error ?? throw new ArgumentNullException(nameof(error)));
}
