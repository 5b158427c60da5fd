using System.Collections.Concurrent;
using System.Net;
using CloudMining.Farm.Shared.Firmware;
using CloudMining.Farm.Shared.MinerApi;

namespace CloudMining.Farm.Agent.Scan;

/// <summary>
/// Sweeps addresses for the CGMiner-compatible API: connects on the port, detects the firmware with the profiles'
/// detection rules (version first) and reads the miner once through the matched profile for model and hashrate.
/// Read-only: only the profiles' read commands are sent.
/// </summary>
public sealed class MinerScanner
{
    private readonly FirmwareProfileCatalog _catalog;
    private readonly TimeSpan _timeout;

    public MinerScanner(FirmwareProfileCatalog catalog, TimeSpan timeout)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        _catalog = catalog ?? throw new ArgumentNullException(nameof(catalog));
        _timeout = timeout;
    }

    /// <summary>Scans every address; <paramref name="progress"/> gets one tick per address done. Hits come back in address order.</summary>
    public async Task<IReadOnlyList<ScanHit>> ScanAsync(IEnumerable<IPAddress> addresses, int port, int concurrency, IProgress<int>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        var reader = new MinerReader(_catalog, new MinerApiClient(new MinerApiClientOptions { ConnectTimeout = _timeout, ReadTimeout = _timeout }));
        var hits = new ConcurrentBag<(uint Order, ScanHit Hit)>();
        await Parallel.ForEachAsync(
            addresses,
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, concurrency), CancellationToken = cancellationToken },
            async (address, ct) =>
            {
                if (await ProbeAsync(reader, address, port, ct) is { } hit)
                {
                    hits.Add((Order(address), hit));
                }

                progress?.Report(1);
            });
        return [.. hits.OrderBy(h => h.Order).Select(h => h.Hit)];
    }

    private static async Task<ScanHit?> ProbeAsync(MinerReader reader, IPAddress address, int port, CancellationToken cancellationToken)
    {
        var endpoint = new MinerEndpoint(address.ToString(), port);
        MinerReadResult result = await reader.ReadAsync(endpoint, FirmwareProfileCatalog.Auto, cancellationToken);
        FirmwareProfile? profile = reader.DetectedProfile(endpoint);
        if (!result.IsSuccess)
        {
            // Nothing listening (or nothing answering) is the normal case for most of a subnet: not a hit.
            if (profile is null && result.Error.Kind is MinerApiErrorKind.Unreachable or MinerApiErrorKind.Timeout)
            {
                return null;
            }

            return new ScanHit { Address = endpoint.Host, Port = port, Profile = profile?.Name, Error = $"{result.Error.Kind}: {result.Error.Message}" };
        }

        var s = result.Snapshot;
        return new ScanHit
        {
            Address = endpoint.Host,
            Port = port,
            Profile = profile?.Name ?? s.Identity.Profile,
            Model = s.Identity.Model,
            Firmware = s.Identity.Firmware,
            Version = s.Identity.FirmwareVersion,
            Hashrate5sHs = s.Hashrate5s?.HashesPerSecond ?? s.HashrateAverage?.HashesPerSecond,
        };
    }

    private static uint Order(IPAddress address)
    {
        byte[] b = address.GetAddressBytes();
        return b.Length == 4 ? (uint)((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) : uint.MaxValue;
    }
}
