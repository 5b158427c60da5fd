using System.Globalization;
using System.Text.Json;
using CloudMining.Farm.Shared.Wire;

namespace CloudMining.Farm.Agent.Pools;

/// <summary>
/// Keeps the rack's reported pool state (<c>farm.v1.reported</c>, retained) far below any broker's packet limit, whatever
/// the desired state or the miners said. By construction each echoed string is bounded (<see cref="MaxReasonChars"/>,
/// <see cref="MaxEchoChars"/>), rejected entries are listed up to <see cref="MaxRejectedListed"/> and pools up to
/// <see cref="MaxPoolsListed"/> per miner; <see cref="Fit"/> then guarantees <see cref="MaxBytes"/> for any rack size by
/// leaving out detail (pools read back, then long reasons, then halves of the per-miner lists) and saying so in
/// <c>errors[]</c>.
/// </summary>
public static class ReportedStateBudget
{
    /// <summary>Largest reported payload, envelope included: an eighth of a 1 MiB broker limit, half of 256 KiB.</summary>
    public const int MaxBytes = 128 * 1024;

    /// <summary>Longest reason of one miner (a miner's reply or a validation sentence quoting input).</summary>
    public const int MaxReasonChars = 640;

    /// <summary>Longest URL or worker echoed from what a miner reports.</summary>
    public const int MaxEchoChars = PoolEndpointRules.MaxUrlLength;

    /// <summary>Rejected desired entries listed one by one; the rest are counted in one line.</summary>
    public const int MaxRejectedListed = 20;

    /// <summary>Pools listed per miner in <c>miners[]</c>.</summary>
    public const int MaxPoolsListed = DesiredPoolStateValidator.MaxPoolsPerMiner;

    /// <summary>Room for what the publisher fills in after <see cref="Fit"/>: publisher (at most 128 characters), seq and ts.</summary>
    private const int EnvelopeAllowance = 512;

    private const int ShortReasonChars = 80;

    /// <summary>The serialized size of <paramref name="report"/> in bytes, as it goes on the wire.</summary>
    public static int SizeOf(ReportedPoolStatePayload report) => JsonSerializer.SerializeToUtf8Bytes(report, FarmJsonContext.Default.ReportedPoolStatePayload).Length;

    /// <summary><paramref name="report"/> itself when it fits <paramref name="maxBytes"/>, else a shortened copy that does.</summary>
    public static ReportedPoolStatePayload Fit(ReportedPoolStatePayload report, int maxBytes = MaxBytes)
    {
        ArgumentNullException.ThrowIfNull(report);
        int limit = maxBytes - EnvelopeAllowance;
        if (SizeOf(report) <= limit)
        {
            return report;
        }

        // First the detail: the pools read back, and long reasons (the per-miner states stay).
        IReadOnlyList<ReportedMinerStatus> statuses = [.. (report.MinerStatus ?? []).Select(s => s with { Reason = s.Reason is null ? null : BoundedText.Echo(s.Reason, ShortReasonChars) })];
        IReadOnlyList<string> errors = [.. report.Errors.Select(e => BoundedText.Echo(e, ShortReasonChars))];
        ReportedPoolStatePayload shorter = report with
        {
            Miners = [],
            MinerStatus = report.MinerStatus is null ? null : statuses,
            Errors = [.. errors, $"report shortened to fit {maxBytes} bytes: pools read back left out, reasons cut to {ShortReasonChars} characters"],
            Rejected = report.Rejected is null ? null : report.Rejected with { Reason = BoundedText.Echo(report.Rejected.Reason, ShortReasonChars * 2) },
        };
        if (SizeOf(shorter) <= limit)
        {
            return shorter;
        }

        // Then halves of the lists, miners not applied first: `applied` still says whether all of them are.
        List<ReportedMinerStatus> ordered = [.. statuses.OrderBy(s => s.State == ReportedMinerState.Applied ? 1 : 0)];
        int keepStatuses = ordered.Count;
        int keepErrors = errors.Count;
        do
        {
            keepStatuses /= 2;
            keepErrors /= 2;
            string note = string.Create(
                CultureInfo.InvariantCulture,
                $"report shortened to fit {maxBytes} bytes: {keepStatuses} of {ordered.Count} miner states and {keepErrors} of {errors.Count} errors listed, pools read back left out");
            shorter = shorter with
            {
                MinerStatus = report.MinerStatus is null ? null : ordered.Take(keepStatuses).ToList(),
                Errors = [.. errors.Take(keepErrors), note],
            };
        }
        while (SizeOf(shorter) > limit && (keepStatuses > 0 || keepErrors > 0));

        return shorter;
    }
}
