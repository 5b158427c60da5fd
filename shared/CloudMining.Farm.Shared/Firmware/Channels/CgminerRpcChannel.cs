using System.Globalization;
using CloudMining.Farm.Shared.MinerApi;
using CloudMining.Farm.Shared.Units;

namespace CloudMining.Farm.Shared.Firmware.Channels;

/// <summary>
/// cgminer's privileged API on TCP 4028: pool changes command by command from the profile's <c>actions:</c>
/// (addpool, switchpool, poolquota…), restart through the restart action, other operations through the command a
/// route names (Avalon's <c>ascset</c> softoff/softon, led), and a power target as a level where the firmware has
/// levels rather than watts (Avalon's <c>ascset 0,worklevel,set,N</c>). Firmware whose configuration commands need
/// a session (LuxOS) has its own channel, <see cref="CgminerSessionChannel"/>.
/// </summary>
public sealed class CgminerRpcChannel : WriteChannel
{
    private static readonly Dictionary<string, string> NoValues = [];
    private readonly ActionRunner _runner;
    private readonly TimeProvider _time;

    public CgminerRpcChannel(ActionRunner runner, TimeProvider? time = null)
    {
        _runner = runner ?? throw new ArgumentNullException(nameof(runner));
        _time = time ?? TimeProvider.System;
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
            // {now}: the miner's clock in Unix seconds, for commands that take a time to act at (Avalon's softoff/softon "1:<time>").
            var values = new Dictionary<string, string> { ["now"] = _time.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture) };
            result = await _runner.RunStepsAsync(target.Endpoint, target.Profile, ProfileAction.Restart, [new ActionStep(command, route.Value)], values, cancellationToken);
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
    /// A power target on firmware with power levels: the route's <c>value</c> lists each level with its approximate
    /// wall power ("0=2950,1=3700,2=4100"); the level nearest the target is sent as the last parameter after the
    /// route's <c>field</c> ("0,worklevel,set"), with the route's command (ascset).
    /// </summary>
    public override async Task<ChannelResult> SetPowerTargetAsync(ChannelTarget target, OperationRoute route, Power power, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(route);
        if (route.Command is not { } command || route.Field is not { } prefix || Levels(route.Value) is not { Count: > 0 } levels)
        {
            return ChannelResult.NotSupported(MinerOperation.SetPowerTarget, Name, target, "the route for setPowerTarget names no command, field and level table",
                $"write it as 'command: ascset, field: \"0,worklevel,set\", value: \"0=2950,1=3700,2=4100\"' in {Path.GetFileName(target.Profile.SourceFile)}");
        }

        (string level, double watts) = levels.MinBy(l => Math.Abs(l.Watts - power.Watts));
        ActionResult result = await _runner.RunStepsAsync(target.Endpoint, target.Profile, ProfileAction.Restart, [new ActionStep(command, prefix + "," + level)], NoValues, cancellationToken);
        ChannelResult channelResult = From(MinerOperation.SetPowerTarget, target, result);
        return channelResult.Succeeded
            ? channelResult with { Messages = [.. channelResult.Messages, string.Create(CultureInfo.InvariantCulture, $"level {level} (about {watts:0} W), the nearest to {power.Watts:0} W of {route.Value}")] }
            : channelResult;
    }

    /// <summary>A level table "0=2950,1=3700,2=4100" as (level, watts); null when it does not parse.</summary>
    public static IReadOnlyList<(string Level, double Watts)>? Levels(string? table)
    {
        if (string.IsNullOrWhiteSpace(table))
        {
            return null;
        }

        var levels = new List<(string, double)>();
        foreach (string part in table.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            string[] kv = part.Split('=', 2, StringSplitOptions.TrimEntries);
            if (kv.Length != 2 || kv[0].Length == 0 || !double.TryParse(kv[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double w) || w <= 0)
            {
                return null;
            }

            levels.Add((kv[0], w));
        }

        return levels;
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
            MinerApiErrorKind.CommandError => (ChannelErrorKind.CommandError, "see the miner's message; the agent tries again after a backoff"),
            _ => (ChannelErrorKind.MalformedReply, "the reply could not be read; check the firmware profile matches the firmware"),
        };
        return ChannelResult.Failed(operation, Name, result.CommandsSent, result.Messages, new ChannelError(kind, target.MinerId, Name, error.Message, fix));
    }
}
