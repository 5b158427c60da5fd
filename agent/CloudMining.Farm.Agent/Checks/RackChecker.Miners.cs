using System.Collections.Concurrent;
using CloudMining.Farm.Agent.Channels;
using CloudMining.Farm.Agent.Configuration;
using CloudMining.Farm.Shared.Wire;
using CloudMining.Farm.Shared.Firmware;
using CloudMining.Farm.Shared.Firmware.Capabilities;
using CloudMining.Farm.Shared.Firmware.Channels;
using CloudMining.Farm.Shared.MinerApi;
using CloudMining.Farm.Shared.Snapshots;

namespace CloudMining.Farm.Agent.Checks;

/// <summary>The miner checks: reachable, readable, and running the firmware the config names.</summary>
public static partial class RackChecker
{
    private static async Task<IReadOnlyList<CheckResult>> CheckMinersAsync(AgentOptions options, MinerReader reader, ConcurrentBag<MinerCapabilities> found, CancellationToken cancellationToken)
    {
        var valid = options.Miners
            .Select((m, i) => (Miner: m, Index: i))
            .Where(x => x.Miner is not null && !string.IsNullOrWhiteSpace(x.Miner.Id) && AgentOptionsValidator.IsAddressOrHostName(x.Miner.Address ?? "") && x.Miner.Port is >= 1 and <= 65535)
            .ToList();
        var results = new ConcurrentDictionary<int, IReadOnlyList<CheckResult>>();
        MinerChannels channels = MinerChannels.Create(options);
        var prober = new CapabilityProber(channels.Writer);
        await Parallel.ForEachAsync(
            valid,
            new ParallelOptions { MaxDegreeOfParallelism = Math.Clamp(options.MaxConcurrency, 1, 64), CancellationToken = cancellationToken },
            async (x, ct) =>
            {
                CheckResult read = await CheckMinerAsync(x.Miner, reader, ct);
                var endpoint = new MinerEndpoint(x.Miner.Address.Trim(), x.Miner.Port);
                FirmwareProfile? profile = read.Passed ? reader.DetectedProfile(endpoint) : null;
                if (profile is null)
                {
                    results[x.Index] = [read];
                    return;
                }

                // Read-only probes of the channels the profile routes to: the same capabilities the agent reports.
                using var deadline = new CancellationTokenSource(options.MinerTimeout * 4 + TimeSpan.FromSeconds(1));
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, deadline.Token);
                MinerCapabilities capabilities = await prober.ProbeAsync(channels.Target(x.Miner.Id, endpoint, profile), linked.Token);
                found.Add(capabilities);
                results[x.Index] = [read, .. CheckCapabilities(x.Miner, profile, capabilities, channels.Credentials.For(x.Miner.Id, profile))];
            });
        return [.. results.OrderBy(r => r.Key).SelectMany(r => r.Value)];
    }

    /// <summary>
    /// One line listing what the agent can do to the miner and through which channel; a warning per channel that does
    /// not work (no login, wrong password, API writes off, no answer) with its fix; a warning when the login is still
    /// the vendor's factory password. Never prints a password.
    /// </summary>
    internal static IEnumerable<CheckResult> CheckCapabilities(MinerOptions miner, FirmwareProfile profile, MinerCapabilities capabilities, MinerCredential? login)
    {
        var available = capabilities.Operations.Where(o => o.Available).GroupBy(o => o.Channel ?? "-")
            .Select(g => $"{string.Join(", ", g.Select(o => o.Operation))} via {g.Key}{(g.All(o => o.Verified == true) ? " (probe ok)" : string.Empty)}").ToList();
        string[] notRouted = [.. capabilities.Operations.Where(o => o.Reason == CapabilityReasons.NoRoute).Select(o => o.Operation)];
        string quota = capabilities.PoolQuota == PoolQuotaStyles.None ? string.Empty : $"; pool quota: {capabilities.PoolQuota}";
        string text = (available.Count == 0 ? "no operation available" : "available: " + string.Join("; ", available))
            + (notRouted.Length == 0 ? string.Empty : $"; not in profile {profile.Name}: {string.Join(", ", notRouted)}") + quota;
        yield return capabilities.Can(MinerOperation.SetPools)
            ? CheckResult.Pass("ops", miner.Id, text)
            : CheckResult.Warn("ops", miner.Id, text + "; its pools cannot be set, so it will not be sold", capabilities.For(MinerOperation.SetPools)?.Fix ?? "see docs/firmware-profiles.md");

        foreach (IGrouping<(string?, string?, string?), OperationCapability> g in capabilities.Operations
            .Where(o => !o.Available && o.Reason != CapabilityReasons.NoRoute).GroupBy(o => (o.Channel, o.Reason, o.Why)))
        {
            OperationCapability first = g.First();
            yield return CheckResult.Warn("ops", miner.Id,
                $"{string.Join(", ", g.Select(o => o.Operation))} unavailable through {first.Channel ?? "-"} ({first.Reason}): {first.Why}",
                first.Fix ?? "see docs/firmware-profiles.md");
        }

        bool web = profile.Route(MinerOperation.SetPools)?.Channel == WriteChannelKind.BitmainWeb;
        if (capabilities.VendorDefaultLogin == true)
        {
            string page = web ? "on the miner's own web page (System > Administration)" : "with the firmware's own tool or web page";
            yield return CheckResult.Warn("login", miner.Id, $"still on the vendor's default {(web ? "web " : string.Empty)}password (user {login?.User ?? profile.Web.DefaultUser}); anyone on the network can change its pools",
                $"set a new password {page}, then put it in Agent:MinerCredentials for {miner.Id} (secrets file or FARM_AGENT_Agent__MinerCredentials__N__Password)");
        }
        else if (login is not null && capabilities.Operations.Any(o => o.Channel is not null && o.Reason != CapabilityReasons.MissingCredentials && UsesLogin(o)))
        {
            yield return CheckResult.Pass("login", miner.Id, $"login {login.User} configured for {string.Join(", ", capabilities.Operations.Where(o => UsesLogin(o)).Select(o => o.Channel).Distinct())}");
        }
    }

    /// <summary>Channels that log in (everything but plain cgminer RPC).</summary>
    private static bool UsesLogin(OperationCapability operation) =>
        operation.Channel is { } channel && channel != WriteChannelNames.CgminerRpc;

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
