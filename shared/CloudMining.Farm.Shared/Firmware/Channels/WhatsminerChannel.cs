using System.Text.Json;
using System.Text.Json.Nodes;
using CloudMining.Farm.Shared.Units;

namespace CloudMining.Farm.Shared.Firmware.Channels;

/// <summary>
/// What MicroBT's two privileged APIs (v2 on 4028, v3 on 4433) have in common: three failover pool slots written as a
/// whole list, a power limit in whole watts, a login checked by a read-only signed call, and the same failure
/// handling (a reboot may drop the connection, every other transport failure is retried later). Each subclass says
/// only how a command is signed, framed and answered (<see cref="SendAsync"/>) and how its parameters look.
/// </summary>
public abstract class WhatsminerChannel : WriteChannel
{
    /// <summary>Pools the firmware keeps: three slots, failover only.</summary>
    public const int MaxPools = 3;

    protected WhatsminerChannel(TimeSpan timeout, TimeProvider? time)
    {
        ReplyTimeout = timeout > TimeSpan.Zero ? timeout : TimeSpan.FromSeconds(5);
        Clock = time ?? TimeProvider.System;
    }

    public override bool WritesWholePoolList => true;

    /// <summary>How long one exchange may take.</summary>
    protected TimeSpan ReplyTimeout { get; }

    protected TimeProvider Clock { get; }

    /// <summary>The command that writes the pool slots when the profile names none ("update_pools", "set.miner.pools").</summary>
    protected abstract string PoolCommand { get; }

    /// <summary>The command that sets the power limit when the profile names none.</summary>
    protected abstract string PowerLimitCommand { get; }

    /// <summary>The first exchange of every command (getting a token or a salt): a failure there never reached the miner's command.</summary>
    protected abstract string LoginStage { get; }

    /// <summary>What the probe's success says was checked.</summary>
    protected abstract string ProbeReadyText { get; }

    public override Task<ChannelResult> SetPoolsAsync(ChannelTarget target, IReadOnlyList<PoolEntry> pools, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(pools);
        const MinerOperation op = MinerOperation.SetPools;
        if (RefuseFailoverList(target, pools, MaxPools, PoolCommand + " holds", "Whatsminer has no pool quotas (failover only)") is { } refused)
        {
            return Task.FromResult(refused);
        }

        return SendAsync(target, op, target.Profile.Route(op)?.Command ?? PoolCommand, PoolsParameter(pools), secret: true, probe: false, cancellationToken);
    }

    public override Task<ChannelResult> RunAsync(ChannelTarget target, OperationRoute route, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(route);
        string command = route.Command ?? throw new ArgumentException($"The {Name} route for {route.Operation} names no command.", nameof(route));
        return SendAsync(target, route.Operation, command, RouteParameter(route), secret: false, probe: false, cancellationToken);
    }

    public override Task<ChannelResult> SetPowerTargetAsync(ChannelTarget target, OperationRoute route, Power power, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(route);
        double watts = power.Watts;
        if (!double.IsFinite(watts) || watts < 1)
        {
            return Task.FromResult(ChannelResult.NotSupported(MinerOperation.SetPowerTarget, Name, target, $"{watts} W is not a power limit", "ask for a positive power in watts"));
        }

        return SendAsync(target, MinerOperation.SetPowerTarget, route.Command ?? PowerLimitCommand, PowerLimitParameter(route, (long)Math.Round(watts)), secret: false, probe: false, cancellationToken);
    }

    /// <summary>One read-only signed call (<see cref="ProbeCallAsync"/>): the login is checked and nothing changes.</summary>
    public override async Task<ChannelProbe> ProbeAsync(ChannelTarget target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        ChannelResult result = await ProbeCallAsync(target, cancellationToken);
        bool vendorDefault = target.UsesVendorDefaultPassword;
        if (result.Succeeded)
        {
            return new ChannelProbe(Name, ChannelProbeStatus.Ready, ProbeReadyText) { VendorDefaultPassword = vendorDefault };
        }

        ChannelError e = result.Error!;
        string? fix = vendorDefault && ChannelProbe.StatusOf(e.Kind) == ChannelProbeStatus.Disabled
            ? "the miner still has its factory password, with which the firmware refuses writes: " + e.Fix
            : null;
        return ChannelProbe.Failed(Name, e, fix) with { VendorDefaultPassword = vendorDefault };
    }

    /// <summary>
    /// Signs, sends and reads one command. <paramref name="secret"/> marks a parameter that carries passwords (the pool
    /// list): it travels encrypted. <paramref name="probe"/> is the read-only login check.
    /// </summary>
    protected abstract Task<ChannelResult> SendAsync(ChannelTarget target, MinerOperation op, string command, JsonNode? parameter, bool secret, bool probe, CancellationToken cancellationToken);

    /// <summary>The read-only call the probe makes.</summary>
    protected abstract Task<ChannelResult> ProbeCallAsync(ChannelTarget target, CancellationToken cancellationToken);

    /// <summary>The pool list as the command's parameter (at most <see cref="MaxPools"/>, checked before).</summary>
    protected abstract JsonNode PoolsParameter(IReadOnlyList<PoolEntry> pools);

    /// <summary>A route's parameter: its value, or the manual LED pattern for "locate on" when the route gives none.</summary>
    protected abstract JsonNode? RouteParameter(OperationRoute route);

    protected abstract JsonNode PowerLimitParameter(OperationRoute route, long watts);

    /// <summary>
    /// A transport failure at <paramref name="stage"/>: a reboot that drops the connection after the command went out
    /// did what was asked; anything else is unreachable or timed out, retried once the miner answers.
    /// </summary>
    protected ChannelResult TransportFailed(Exception e, ChannelTarget target, int port, MinerOperation op, string stage, int sent, bool probe, string apiName, string fix)
    {
        ArgumentNullException.ThrowIfNull(e);
        ArgumentNullException.ThrowIfNull(target);
        if (stage != LoginStage && op is MinerOperation.Reboot && !probe)
        {
            return ChannelResult.Ok(op, Name, sent, [$"{stage}: the connection dropped (the miner is rebooting)"]);
        }

        ChannelErrorKind kind = e is OperationCanceledException or TimeoutException ? ChannelErrorKind.Timeout : ChannelErrorKind.Unreachable;
        string what = kind == ChannelErrorKind.Timeout
            ? $"no answer to {stage} from {target.Endpoint.Host}:{port} within {ReplyTimeout.TotalSeconds:0.#} s"
            : $"cannot reach {apiName} at {target.Endpoint.Host}:{port} on {stage} ({e.GetType().Name})";
        return ChannelResult.Failed(op, Name, sent, [], Error(kind, target, what, fix));
    }

    protected static JsonObject? ParseObject(string text)
    {
        try
        {
            return JsonNode.Parse(text) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    protected ChannelError Error(ChannelErrorKind kind, ChannelTarget target, string message, string fix)
    {
        ArgumentNullException.ThrowIfNull(target);
        return new(kind, target.MinerId, Name, message, fix);
    }
}
