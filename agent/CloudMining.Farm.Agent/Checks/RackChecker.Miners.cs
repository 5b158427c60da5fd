using System.Collections.Concurrent;
using CloudMining.Farm.Agent.Channels;
using CloudMining.Farm.Agent.Configuration;
using CloudMining.Farm.Shared.Firmware;
using CloudMining.Farm.Shared.Firmware.Channels;
using CloudMining.Farm.Shared.MinerApi;
using CloudMining.Farm.Shared.Snapshots;

namespace CloudMining.Farm.Agent.Checks;

/// <summary>The miner checks: reachable, readable, and running the firmware the config names.</summary>
public static partial class RackChecker
{
    private static async Task<IReadOnlyList<CheckResult>> CheckMinersAsync(AgentOptions options, MinerReader reader, CancellationToken cancellationToken)
    {
        var valid = options.Miners
            .Select((m, i) => (Miner: m, Index: i))
            .Where(x => x.Miner is not null && !string.IsNullOrWhiteSpace(x.Miner.Id) && AgentOptionsValidator.IsAddressOrHostName(x.Miner.Address ?? "") && x.Miner.Port is >= 1 and <= 65535)
            .ToList();
        var results = new ConcurrentDictionary<int, IReadOnlyList<CheckResult>>();
        var logins = new MinerCredentials(options.MinerCredentials);
        await Parallel.ForEachAsync(
            valid,
            new ParallelOptions { MaxDegreeOfParallelism = Math.Clamp(options.MaxConcurrency, 1, 64), CancellationToken = cancellationToken },
            async (x, ct) =>
            {
                CheckResult read = await CheckMinerAsync(x.Miner, reader, ct);
                FirmwareProfile? profile = read.Passed ? reader.DetectedProfile(new MinerEndpoint(x.Miner.Address.Trim(), x.Miner.Port)) : null;
                results[x.Index] = profile is not null && CheckLogin(x.Miner, profile, logins) is { } login ? [read, login] : [read];
            });
        return [.. results.OrderBy(r => r.Key).SelectMany(r => r.Value)];
    }

    /// <summary>
    /// For a firmware whose pools go through a logged-in channel (stock Antminer's web CGI, VNish's REST API, Braiins OS+'s gRPC API): a login must be configured,
    /// and one still equal to the vendor's factory password is a warning with the fix. Never prints the password.
    /// </summary>
    private static CheckResult? CheckLogin(MinerOptions miner, FirmwareProfile profile, MinerCredentials logins)
    {
        if (profile.Route(MinerOperation.SetPools) is not { Channel: WriteChannelKind.BitmainWeb or WriteChannelKind.VnishRest or WriteChannelKind.BraiinsGrpc } route)
        {
            return null;
        }

        string channel = WriteChannelNames.Of(route.Channel);
        string subject = miner.Id;
        MinerCredential? login = logins.For(miner.Id, profile);
        if (login is null)
        {
            return CheckResult.Warn("login", subject, $"no web login configured: the agent cannot change its pools, sleep or reboot it through {channel}",
                $"add {{ \"Miner\": \"{miner.Id}\", \"Password\": \"…\" }} to Agent:MinerCredentials in the secrets file (or FARM_AGENT_Agent__MinerCredentials__N__Password)");
        }

        if (MinerCredentials.IsVendorDefault(login, profile))
        {
            return CheckResult.Warn("login", subject, $"still on the vendor's default web password (user {login.User}); anyone on the network can change its pools",
                $"set a new password on the miner's own web page (System > Administration), then put it in Agent:MinerCredentials for {miner.Id}");
        }

        return CheckResult.Pass("login", subject, $"web login {login.User} configured for {channel}");
    }

    private static async Task<CheckResult> CheckMinerAsync(MinerOptions miner, MinerReader reader, CancellationToken cancellationToken)
    {
        var endpoint = new MinerEndpoint(miner.Address.Trim(), miner.Port);
        string subject = $"{miner.Id} {endpoint}";

        // Always detect, so a miner reflashed to another firmware than the config says is caught here, not in production.
        MinerReadResult result = await reader.ReadAsync(endpoint, FirmwareProfileCatalog.Auto, cancellationToken);
        if (!result.IsSuccess)
        {
            return CheckResult.Fail("miner", subject, result.Error.Message, HintFor(result.Error.Kind, endpoint));
        }

        MinerSnapshot s = result.Snapshot;
        string detected = reader.DetectedProfile(endpoint)?.Name ?? s.Identity.Profile;
        if (!string.Equals(miner.Profile, FirmwareProfileCatalog.Auto, StringComparison.OrdinalIgnoreCase)
            && !string.Equals(miner.Profile, detected, StringComparison.OrdinalIgnoreCase))
        {
            return CheckResult.Fail(
                "miner",
                subject,
                $"answers like firmware '{detected}' ({Describe(s)}) but the config says '{miner.Profile}'",
                $"set \"Profile\": \"{detected}\" (or \"auto\") for {miner.Id}, or check that {endpoint} is the right machine");
        }

        return CheckResult.Pass("miner", subject, $"{detected}: {Describe(s)}");
    }

    internal static string Describe(MinerSnapshot s)
    {
        var parts = new List<string>();
        if (s.Identity.Model is { Length: > 0 } model)
        {
            parts.Add(model);
        }

        if (s.Identity.FirmwareVersion is { Length: > 0 } version)
        {
            parts.Add(version);
        }

        parts.Add(s.Hashrate5s is { } h ? h.Format(h.NaturalUnit(), 1) : "no hashrate reported");
        return string.Join(", ", parts);
    }

    private static string HintFor(MinerApiErrorKind kind, MinerEndpoint endpoint) => kind switch
    {
        MinerApiErrorKind.Unreachable => $"check the miner is powered, its network cable and the address; `farm-agent scan` the rack's subnet to find it (port {endpoint.Port})",
        MinerApiErrorKind.Timeout => "the miner accepts connections but does not answer: it may be booting or hung; power-cycle it and check again",
        MinerApiErrorKind.AccessDenied => "allow this box's address in the miner's API access list (api-allow / api-network)",
        _ => "check that this is a supported miner and its firmware profile (`farm-agent decode` on captured replies)",
    };
}
