using System.Collections.Concurrent;
using CloudMining.Farm.Shared.MinerApi;

namespace CloudMining.Farm.Shared.Firmware;

/// <summary>
/// Reads one miner through its firmware profile: detects the profile when asked for "auto" (cached per endpoint), sends the
/// profile's read commands (one multi-command request where the firmware supports it) and decodes them. Miner faults come
/// back as <see cref="MinerReadResult"/> errors, never as exceptions; only the caller's cancellation throws.
/// </summary>
public sealed class MinerReader : IMinerReader
{
    private readonly FirmwareProfileCatalog _catalog;
    private readonly FirmwareDetector _detector;
    private readonly MinerApiClient _client;
    private readonly ConcurrentDictionary<MinerEndpoint, FirmwareProfile> _detected = new();

    public MinerReader(FirmwareProfileCatalog catalog, MinerApiClient client)
    {
        _catalog = catalog ?? throw new ArgumentNullException(nameof(catalog));
        _client = client ?? throw new ArgumentNullException(nameof(client));
        _detector = new FirmwareDetector(catalog);
    }

    /// <summary>The profile detection chose for an endpoint, if it ran.</summary>
    public FirmwareProfile? DetectedProfile(MinerEndpoint endpoint) => _detected.TryGetValue(endpoint, out FirmwareProfile? p) ? p : null;

    /// <summary>Forgets a detection, e.g. after the miner was reflashed.</summary>
    public void ForgetDetection(MinerEndpoint endpoint) => _detected.TryRemove(endpoint, out _);

    public async ValueTask<MinerReadResult> ReadAsync(MinerEndpoint endpoint, string profile, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentException.ThrowIfNullOrWhiteSpace(profile);
        FirmwareProfile chosen;
        bool detected = false;
        if (string.Equals(profile, FirmwareProfileCatalog.Auto, StringComparison.OrdinalIgnoreCase))
        {
            if (!_detected.TryGetValue(endpoint, out FirmwareProfile? cached))
            {
                (FirmwareProfile? found, MinerApiError? error) = await DetectAsync(endpoint, cancellationToken);
                if (found is null)
                {
                    return MinerReadResult.Failure(error!);
                }

                cached = _detected.GetOrAdd(endpoint, found);
            }

            chosen = cached;
            detected = true;
        }
        else if (!_catalog.TryGet(profile, out chosen))
        {
            return MinerReadResult.Failure(new MinerApiError(
                MinerApiErrorKind.UnsupportedReply,
                $"No firmware profile '{profile}' for {endpoint}; known: {string.Join(", ", _catalog.Profiles.Select(p => p.Name))}, or 'auto'. Fix the miner's profile in the agent configuration."));
        }

        MinerReadResult result = await ReadWithAsync(endpoint, chosen, cancellationToken);
        if (detected && result.Error?.Kind == MinerApiErrorKind.UnsupportedReply)
        {
            ForgetDetection(endpoint); // the firmware may have changed; detect again next time
        }

        return result;
    }

    /// <summary>Reads and decodes with a given profile.</summary>
    public async ValueTask<MinerReadResult> ReadWithAsync(MinerEndpoint endpoint, FirmwareProfile profile, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(profile);
        var sets = new List<ApiReplySet>(profile.ReadCommands.Count);
        try
        {
            var results = new List<ApiReplyResult>(profile.ReadCommands.Count);
            bool batched = false;
            if (profile.MultiCommand && profile.ReadCommands.Count > 1)
            {
                ApiReplySet set = await _client.SendAsync(endpoint, profile.MultiCommandRequest, cancellationToken: cancellationToken);
                sets.Add(set);
                if (set.Results.Any(r => r.IsSuccess))
                {
                    results.AddRange(set.Results);
                    batched = true;
                }
            }

            if (!batched)
            {
                foreach (string command in profile.ReadCommands)
                {
                    ApiReplySet set = await _client.SendAsync(endpoint, command, cancellationToken: cancellationToken);
                    sets.Add(set);
                    results.AddRange(set.Results);
                }
            }

            MinerReadResult decoded = SnapshotDecoder.Decode(profile, results);
            return decoded.IsSuccess ? decoded : MinerReadResult.Failure(WithEndpoint(decoded.Error, endpoint));
        }
        catch (MinerApiException ex)
        {
            return MinerReadResult.Failure(ex.Error);
        }
        catch (Exception ex) when (ex is ArgumentException or IOException or System.Net.Sockets.SocketException or InvalidOperationException)
        {
            // An address the socket layer rejects (bad host name…) is this miner's fault, not the poll loop's.
            return MinerReadResult.Failure(new MinerApiError(
                MinerApiErrorKind.Unreachable,
                $"{endpoint}: cannot talk to the miner ({ex.GetType().Name}: {ex.Message}). Check the address in the rack configuration.")
            { Command = profile.MultiCommand ? profile.MultiCommandRequest : profile.ReadCommands[0] });
        }
        finally
        {
            foreach (ApiReplySet set in sets)
            {
                set.Dispose();
            }
        }
    }

    private async Task<(FirmwareProfile? Profile, MinerApiError? Error)> DetectAsync(MinerEndpoint endpoint, CancellationToken cancellationToken)
    {
        var sets = new List<ApiReplySet>();
        try
        {
            var replies = new List<ApiReplyResult>();
            foreach (string probe in _detector.ProbeCommands)
            {
                ApiReplySet set;
                try
                {
                    set = await _client.SendAsync(endpoint, probe, cancellationToken: cancellationToken);
                }
                catch (MinerApiException ex) when (ex.Error.Kind is MinerApiErrorKind.Unreachable or MinerApiErrorKind.Timeout)
                {
                    return (null, ex.Error); // the miner is not answering at all: nothing to detect, nothing to cache
                }
                catch (MinerApiException)
                {
                    continue; // this probe is not understood; try the next
                }

                sets.Add(set);
                replies.AddRange(set.Results);
                if (_detector.TryDetect(replies) is FirmwareProfile found)
                {
                    return (found, null);
                }
            }

            return (_catalog.Fallback, null);
        }
        finally
        {
            foreach (ApiReplySet set in sets)
            {
                set.Dispose();
            }
        }
    }

    private static MinerApiError WithEndpoint(MinerApiError error, MinerEndpoint endpoint) =>
        error.Message.StartsWith(endpoint.ToString(), StringComparison.Ordinal) ? error : error with { Message = $"{endpoint}: {error.Message}" };
}
