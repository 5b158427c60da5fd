using CloudMining.Farm.Shared.MinerApi;

namespace CloudMining.Farm.Shared.Firmware.Channels;

/// <summary>
/// cgminer's privileged API on TCP 4028: pool changes command by command from the profile's <c>actions:</c>
/// (addpool, switchpool, poolquota…, with the LuxOS-style session login where the profile has one), restart through
/// the restart action, and other operations through the command a route names (Avalon's <c>ascset</c>).
/// </summary>
public sealed class CgminerRpcChannel : WriteChannel
{
    private static readonly Dictionary<string, string> NoValues = [];
    private readonly ActionRunner _runner;

    public CgminerRpcChannel(ActionRunner runner)
    {
        _runner = runner ?? throw new ArgumentNullException(nameof(runner));
    }

    public override WriteChannelKind Kind => WriteChannelKind.CgminerRpc;

    public override bool WritesWholePoolList => false;

    public override bool SupportsQuota(FirmwareProfile profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        return profile.Actions.ContainsKey(ProfileAction.SetQuota);
    }

    public override async Task<ChannelResult> RunPoolStepAsync(ChannelTarget target, ProfileAction action, IReadOnlyDictionary<string, string> values, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        ActionResult result = await _runner.RunAsync(target.Endpoint, target.Profile, action, values, cancellationToken);
        return From(MinerOperation.SetPools, target, result);
    }

    public override async Task<ChannelResult> RunAsync(ChannelTarget target, OperationRoute route, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(route);
        ActionResult result;
        if (route.Command is { } command)
        {
            result = await _runner.RunStepsAsync(target.Endpoint, target.Profile, ProfileAction.Restart, [new ActionStep(command, route.Value)], NoValues, cancellationToken);
        }
        else if (route.Operation == MinerOperation.RestartMining)
        {
            result = await _runner.RunAsync(target.Endpoint, target.Profile, ProfileAction.Restart, NoValues, cancellationToken);
        }
        else
        {
            return ChannelResult.NotSupported(route.Operation, Name, target, $"the route for {WriteChannelNames.Of(route.Operation)} names no cgminer command",
                $"add 'command:' (and 'value:' for its parameter) to operations.{WriteChannelNames.Of(route.Operation)} in {Path.GetFileName(target.Profile.SourceFile)}");
        }

        return From(route.Operation, target, result);
    }

    /// <summary>
    /// Sends cgminer's <c>privileged</c> command, which changes nothing and answers whether this client may use the
    /// privileged (write) commands: <c>S</c> Code 46 "Privileged access OK", or <c>E</c> Code 45 "Access denied"
    /// (stock Antminer firmware answers that to every write, whatever its api-allow says).
    /// </summary>
    public override async Task<ChannelProbe> ProbeAsync(ChannelTarget target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        ActionResult result = await _runner.RunStepsAsync(target.Endpoint, target.Profile, ProfileAction.Restart, [new ActionStep("privileged", null)], NoValues, cancellationToken);
        if (result.Succeeded)
        {
            return new ChannelProbe(Name, ChannelProbeStatus.Ready, "cgminer API grants privileged access (privileged: Code 46)");
        }

        MinerApiError error = result.Error ?? new MinerApiError(MinerApiErrorKind.CommandError, "failed");
        return error.Kind switch
        {
            MinerApiErrorKind.AccessDenied => new ChannelProbe(Name, ChannelProbeStatus.Disabled,
                $"the cgminer API at {target.Endpoint} refuses privileged commands (Code 45, access denied)",
                $"allow this agent's address for writes (api-allow W:…) where the firmware has that setting, or route the operations to the firmware's own channel in {Path.GetFileName(target.Profile.SourceFile)} (stock Antminer: bitmain-web)"),
            MinerApiErrorKind.Unreachable or MinerApiErrorKind.Timeout => new ChannelProbe(Name, ChannelProbeStatus.Unreachable,
                $"the cgminer API at {target.Endpoint} did not answer the probe ({error.Kind})", "check the miner is powered and reachable; it is probed again once it answers"),

            // A firmware without the 'privileged' command: nothing can be learnt without trying a real write.
            MinerApiErrorKind.CommandError => new ChannelProbe(Name, ChannelProbeStatus.NotProbed, "the firmware has no 'privileged' command; writes are tried as they come"),
            _ => new ChannelProbe(Name, ChannelProbeStatus.Malformed, $"the reply to 'privileged' could not be read ({error.Kind})", "check the firmware profile matches the firmware"),
        };
    }

    private ChannelResult From(MinerOperation operation, ChannelTarget target, ActionResult result)
    {
        if (result.Outcome == ActionOutcome.NotSupported)
        {
            return ChannelResult.NotSupported(operation, Name, target, $"the firmware profile '{target.Profile.Name}' has no {result.Action} action",
                $"add it under actions: in {Path.GetFileName(target.Profile.SourceFile)} if the firmware has the command");
        }

        if (result.Succeeded)
        {
            return ChannelResult.Ok(operation, Name, result.CommandsSent, result.Messages);
        }

        MinerApiError error = result.Error ?? new MinerApiError(MinerApiErrorKind.CommandError, "failed");
        (ChannelErrorKind kind, string fix) = error.Kind switch
        {
            MinerApiErrorKind.Unreachable => (ChannelErrorKind.Unreachable, "check the miner is powered and reachable; the change is tried again once it answers"),
            MinerApiErrorKind.Timeout => (ChannelErrorKind.Timeout, "the miner may be busy or booting; the change is tried again once it answers"),
            MinerApiErrorKind.AccessDenied => (ChannelErrorKind.AccessDenied,
                "the firmware refuses cgminer API writes to this address (Code 45): allow it (api-allow W:…) where the firmware has that setting, or route the operation to the firmware's own channel in its profile (stock Antminer: bitmain-web)"),
            MinerApiErrorKind.CommandError => (ChannelErrorKind.CommandError, "see the miner's message; the change is retried after a backoff"),
            _ => (ChannelErrorKind.MalformedReply, "the reply could not be read; check the firmware profile matches the firmware"),
        };
        return ChannelResult.Failed(operation, Name, result.CommandsSent, result.Messages, new ChannelError(kind, target.MinerId, Name, error.Message, fix));
    }
}
