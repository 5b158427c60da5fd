using CloudMining.Farm.Shared.Wire;
using CloudMining.Farm.Shared.Firmware.Channels;

namespace CloudMining.Farm.Shared.Firmware.Capabilities;

/// <summary>
/// Works out one miner's <see cref="MinerCapabilities"/>: for every operation the route its firmware profile gives, the
/// channel <see cref="MinerWriter"/> has for it, and that channel's read-only probe (each channel probed once). Changes
/// nothing on the miner. The same code serves the agent's reports and <c>farm-agent check</c>.
/// </summary>
public sealed class CapabilityProber
{
    private readonly MinerWriter _writer;
    private readonly TimeProvider _time;

    public CapabilityProber(MinerWriter writer, TimeProvider? time = null)
    {
        _writer = writer ?? throw new ArgumentNullException(nameof(writer));
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Probes the channels <paramref name="target"/>'s profile routes to; a probe that throws counts as an unreadable answer.</summary>
    public async Task<MinerCapabilities> ProbeAsync(ChannelTarget target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        FirmwareProfile profile = target.Profile;
        var probes = new Dictionary<WriteChannelKind, ChannelProbe>();
        var operations = new List<OperationCapability>();
        foreach (MinerOperation operation in Enum.GetValues<MinerOperation>())
        {
            string name = WriteChannelNames.Of(operation);
            string file = Path.GetFileName(profile.SourceFile);
            if (profile.Route(operation) is not { } route || (operation == MinerOperation.SetPools && !profile.CanSetPools))
            {
                operations.Add(new OperationCapability(name, false, Reason: CapabilityReasons.NoRoute,
                    Why: $"the firmware profile '{profile.Name}' has no channel for {name}",
                    Fix: $"nothing to do if the firmware cannot {name}; otherwise add '{name}' under operations: in {file} (docs/firmware-profiles.md)"));
                continue;
            }

            string channelName = WriteChannelNames.Of(route.Channel);
            if (_writer.ChannelFor(profile, operation) is not { } channel)
            {
                operations.Add(new OperationCapability(name, false, channelName, Reason: CapabilityReasons.ChannelMissing,
                    Why: $"this agent has no {channelName} channel",
                    Fix: "upgrade farm-agent to a version that speaks it"));
                continue;
            }

            if (!probes.TryGetValue(route.Channel, out ChannelProbe? probe))
            {
                probe = await ProbeOneAsync(channel, target, cancellationToken);
                probes[route.Channel] = probe;
            }

            operations.Add(probe.Usable
                ? new OperationCapability(name, true, channelName, Verified: probe.Status == ChannelProbeStatus.Ready)
                : new OperationCapability(name, false, channelName, Reason: ReasonOf(probe.Status),
                    Why: BoundedText.Echo(probe.Message ?? probe.Status.ToString(), MinerCapabilities.MaxTextChars),
                    Fix: BoundedText.Echo(probe.Fix ?? "see docs/firmware-profiles.md, \"Capabilities and probes\"", MinerCapabilities.MaxTextChars)));
        }

        bool pools = operations.Any(o => o.Operation == WriteChannelNames.Of(MinerOperation.SetPools) && o.Available);
        WriteChannel? poolChannel = pools ? _writer.ChannelFor(profile, MinerOperation.SetPools) : null;
        string quota = poolChannel?.QuotaStyle(profile) ?? PoolQuotaStyles.None;
        (double MinWatts, double MaxWatts)? power = profile.Route(MinerOperation.SetPowerTarget) is { } powerRoute && probes.TryGetValue(powerRoute.Channel, out ChannelProbe? powerProbe)
            ? powerProbe.PowerTargetRange
            : null;
        bool vendorDefault = probes.Values.Any(p => p.VendorDefaultPassword)
            || (target.Credential is { } login && profile.Web.VendorDefaultPassword is { } vendor && string.Equals(login.Password, vendor, StringComparison.Ordinal));
        return new MinerCapabilities
        {
            MinerId = target.MinerId,
            Profile = profile.Name,
            ProbedAt = _time.GetUtcNow(),
            Operations = operations,
            PoolQuota = quota,
            QuotaStep = quota == PoolQuotaStyles.CgminerQuota ? 1 : null,
            PowerTargetMinW = power?.MinWatts,
            PowerTargetMaxW = power?.MaxWatts,
            VendorDefaultLogin = vendorDefault ? true : null,
        };
    }

    /// <summary>The wire reason for a probe status that makes a channel unusable.</summary>
    public static string ReasonOf(ChannelProbeStatus status) => status switch
    {
        ChannelProbeStatus.MissingCredentials => CapabilityReasons.MissingCredentials,
        ChannelProbeStatus.AuthenticationFailed => CapabilityReasons.AuthenticationFailed,
        ChannelProbeStatus.Disabled => CapabilityReasons.Disabled,
        ChannelProbeStatus.Unreachable => CapabilityReasons.Unreachable,
        _ => CapabilityReasons.Malformed,
    };

    private static async Task<ChannelProbe> ProbeOneAsync(WriteChannel channel, ChannelTarget target, CancellationToken cancellationToken)
    {
        try
        {
            return await channel.ProbeAsync(target, cancellationToken);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new ChannelProbe(channel.Name, ChannelProbeStatus.Unreachable, "the probe timed out", "check the miner is powered and reachable; it is probed again later");
        }
#pragma warning disable CA1031 // one channel's fault must give an unusable operation, not stop the other probes
        catch (Exception e) when (e is not OperationCanceledException)
#pragma warning restore CA1031
        {
            // The type only: an exception message from a channel could quote what the miner sent back.
            return new ChannelProbe(channel.Name, ChannelProbeStatus.Malformed, $"the probe failed ({e.GetType().Name})", "check the firmware profile matches the firmware; see the agent's log");
        }
    }
}
