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
