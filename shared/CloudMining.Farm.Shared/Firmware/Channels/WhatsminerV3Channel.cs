using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using CloudMining.Farm.Shared.Units;

namespace CloudMining.Farm.Shared.Firmware.Channels;

/// <summary>
/// Whatsminer's API v3 (MicroBT "Whatsminer API V3.0.x", firmware from late 2024) on TCP 4433: every message is its
/// length as 4 bytes little-endian followed by JSON. <c>get.*</c> reads need nothing; a <c>set.*</c> write carries
/// "ts", "account" and a "token": the first 8 base64 characters of SHA-256(command + password + salt + ts), where
/// the salt comes from <c>get.device.info</c> with param "salt". The parameter of <c>set.miner.pools</c> is
/// encrypted with AES-256-ECB under the 32 hash bytes and base64'd. Answers are {"code":0,"msg":…,"desc":…}; codes
/// below 0 are refusals (-1 bad JSON or login, -2 bad command or parameter, -3 a parameter missing), and writes not
/// enabled in WhatsMinerTool answer "no permission". Neither password, key nor token ever reaches a message.
/// </summary>
public sealed class WhatsminerV3Channel : WriteChannel
{
    public const int DefaultPort = 4433;

    /// <summary>Pools the firmware keeps (three, failover).</summary>
    public const int MaxPools = 3;

    private readonly TimeSpan _timeout;
    private readonly TimeProvider _time;

    public WhatsminerV3Channel(TimeSpan timeout, TimeProvider? time = null)
    {
        _timeout = timeout > TimeSpan.Zero ? timeout : TimeSpan.FromSeconds(5);
        _time = time ?? TimeProvider.System;
    }

    public override WriteChannelKind Kind => WriteChannelKind.WhatsminerV3;

    public override bool WritesWholePoolList => true;

    public override Task<ChannelResult> SetPoolsAsync(ChannelTarget target, IReadOnlyList<PoolEntry> pools, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(pools);
        const MinerOperation op = MinerOperation.SetPools;
        if (RefuseFailoverList(target, pools, MaxPools, "set.miner.pools holds", "Whatsminer has no pool quotas (failover only)") is { } refused)
        {
            return Task.FromResult(refused);
        }

        var list = new JsonArray();
        foreach (PoolEntry p in pools)
        {
            list.Add(new JsonObject { ["pool"] = p.Url, ["worker"] = p.User, ["passwd"] = p.Password });
        }

        return ExecuteAsync(target, op, target.Profile.Route(op)?.Command ?? "set.miner.pools", list, encrypt: true, cancellationToken);
    }

    public override Task<ChannelResult> RunAsync(ChannelTarget target, OperationRoute route, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(route);
        string command = route.Command ?? throw new ArgumentException($"The {Name} route for {route.Operation} names no command.", nameof(route));
        JsonNode? param = route.Value is { } value ? JsonValue.Create(value) : null;
        if (route.Operation == MinerOperation.LocateOn && param is null)
        {
            // set.system.led's manual mode: a list of {color, period, duration, start} in ms.
            param = new JsonArray { new JsonObject { ["color"] = "red", ["period"] = 1000, ["duration"] = 500, ["start"] = 0 } };
        }

        return ExecuteAsync(target, route.Operation, command, param, encrypt: false, cancellationToken);
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

        return ExecuteAsync(target, MinerOperation.SetPowerTarget, route.Command ?? "set.miner.power_limit", JsonValue.Create((long)Math.Round(watts)), encrypt: false, cancellationToken);
    }

    /// <summary>
    /// Reads the salt, then signs a <c>set.system.led</c> whose parameter no firmware accepts: the login is checked
    /// ("-2" means the token was good and the parameter refused) and nothing changes.
    /// </summary>
    public override async Task<ChannelProbe> ProbeAsync(ChannelTarget target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        ChannelResult result = await ExecuteAsync(target, MinerOperation.LocateOff, "set.system.led", JsonValue.Create("probe"), encrypt: false, cancellationToken, probe: true);
        bool vendorDefault = target.Credential is { } c && target.Profile.Web.VendorDefaultPassword is { } vendor && c.Password == vendor;
        if (result.Succeeded)
        {
            return new ChannelProbe(Name, ChannelProbeStatus.Ready, "the salt was read and a signed command's login accepted")
            {
                VendorDefaultPassword = vendorDefault,
            };
        }

        ChannelError e = result.Error!;
        ChannelProbeStatus status = e.Kind switch
        {
            ChannelErrorKind.MissingCredentials => ChannelProbeStatus.MissingCredentials,
            ChannelErrorKind.AuthenticationFailed => ChannelProbeStatus.AuthenticationFailed,
            ChannelErrorKind.AccessDenied => ChannelProbeStatus.Disabled,
            ChannelErrorKind.Unreachable or ChannelErrorKind.Timeout => ChannelProbeStatus.Unreachable,
            _ => ChannelProbeStatus.Malformed,
        };
        return new ChannelProbe(Name, status, e.Message, vendorDefault && status == ChannelProbeStatus.Disabled ? "the miner still has its factory password, with which the firmware refuses writes: " + e.Fix : e.Fix)
        {
            VendorDefaultPassword = vendorDefault,
        };
    }

    private int Port(ChannelTarget target) => target.ChannelPort ?? target.Profile.ChannelPort(Kind) ?? DefaultPort;

    private async Task<ChannelResult> ExecuteAsync(ChannelTarget target, MinerOperation op, string command, JsonNode? param, bool encrypt, CancellationToken cancellationToken, bool probe = false)
    {
        if (target.Credential is not { } login)
        {
            return ChannelResult.Failed(op, Name, 0, [], Error(ChannelErrorKind.MissingCredentials, target,
                $"no API password is configured for it (the {Name} channel needs one; nothing was sent)",
                $"add {{ \"Miner\": \"{target.MinerId}\", \"Profile\": \"{target.Profile.Name}\", \"Password\": \"…\" }} to Agent:MinerCredentials (in the secrets file or FARM_AGENT_Agent__MinerCredentials__N__Password): the password of account '{target.Profile.Web.DefaultUser}' set with WhatsMinerTool"));
        }

        int port = Port(target);
        int sent = 0;
        string stage = "get.device.info";
        try
        {
            sent++;
            string saltText = await WhatsminerWire.ExchangeV3Async(target.Endpoint.Host, port, """{"cmd":"get.device.info","param":"salt"}""", _timeout, cancellationToken);
            JsonObject? saltAnswer = Parse(saltText);
            WhatsminerReply? saltReply = saltAnswer is null ? null : WhatsminerReply.ParseV3(saltAnswer);
            if (saltReply is null || !saltReply.Success || saltReply.Msg?["salt"] is not JsonValue saltValue || saltValue.GetValueKind() != JsonValueKind.String)
            {
                return ChannelResult.Failed(op, Name, sent, [], saltReply is { Success: false }
                    ? Refused(target, stage, saltReply)
                    : Error(ChannelErrorKind.MalformedReply, target, "get.device.info did not answer a salt", $"check that the miner runs Whatsminer firmware with API v3 on port {port}"));
            }

            long ts = _time.GetUtcNow().ToUnixTimeSeconds();
            (string token, byte[] key) = WhatsminerCrypto.DeriveV3(command, login.Password, saltValue.GetValue<string>(), ts);
            var message = new JsonObject
            {
                ["cmd"] = command,
                ["ts"] = ts,
                ["token"] = token,
                ["account"] = login.User,
            };
            if (param is not null)
            {
                message["param"] = encrypt ? WhatsminerCrypto.EncryptBase64(key, param.ToJsonString()) : param.DeepClone();
            }

            stage = command;
            sent++;
            string text = await WhatsminerWire.ExchangeV3Async(target.Endpoint.Host, port, message.ToJsonString(), _timeout, cancellationToken);
            JsonObject? answer = Parse(text);
            WhatsminerReply? reply = answer is null ? null : WhatsminerReply.ParseV3(answer);
            if (reply is null)
            {
                return ChannelResult.Failed(op, Name, sent, [], Error(ChannelErrorKind.MalformedReply, target,
                    $"{command} got an answer that is not the firmware's JSON", $"check that the miner runs Whatsminer firmware with API v3 on port {port}"));
            }

            if (reply.Success || (probe && reply.Code is -2 or -3 && !NoPermission(reply)))
            {
                return ChannelResult.Ok(op, Name, sent, [$"{command}: {(probe ? "login accepted" : reply.Message)}"]);
            }

            return ChannelResult.Failed(op, Name, sent, [], Refused(target, command, reply));
        }
        catch (Exception e) when (WhatsminerWire.Transport(e, cancellationToken))
        {
            if (stage != "get.device.info" && op is MinerOperation.Reboot && !probe)
            {
                return ChannelResult.Ok(op, Name, sent, [$"{stage}: the connection dropped (the miner is rebooting)"]);
            }

            ChannelErrorKind kind = e is OperationCanceledException or TimeoutException ? ChannelErrorKind.Timeout : ChannelErrorKind.Unreachable;
            string what = kind == ChannelErrorKind.Timeout
                ? $"no answer to {stage} from {target.Endpoint.Host}:{port} within {_timeout.TotalSeconds:0.#} s"
                : $"cannot reach API v3 at {target.Endpoint.Host}:{port} on {stage} ({e.GetType().Name})";
            return ChannelResult.Failed(op, Name, sent, [], Error(kind, target, what,
                $"check the miner is powered and its firmware serves API v3 on port {port} (firmware from November 2024 on); older firmware needs the whatsminer profile (API v2 on 4028)"));
        }
    }

    private static bool NoPermission(WhatsminerReply reply) => reply.Message.Contains("permission", StringComparison.OrdinalIgnoreCase);

    private ChannelError Refused(ChannelTarget target, string command, WhatsminerReply reply)
    {
        string said = string.Create(CultureInfo.InvariantCulture, $"{command} refused with code {reply.Code?.ToString(CultureInfo.InvariantCulture) ?? "?"} \"{reply.Message}\"");
        if (NoPermission(reply))
        {
            return Error(ChannelErrorKind.AccessDenied, target, said + " (API writes are not enabled on the miner)",
                "in WhatsMinerTool change the miner's default password and switch on API write access, then put that password in Agent:MinerCredentials");
        }

        return reply.Code switch
        {
            -1 => Error(ChannelErrorKind.AuthenticationFailed, target, said + $" (the miner did not accept the token of account '{target.Credential!.User}': wrong password)",
                $"set the password of account '{target.Credential.User}' in Agent:MinerCredentials, entry for \"{target.MinerId}\" or its profile '{target.Profile.Name}'"),
            _ => Error(ChannelErrorKind.CommandError, target, said, "see the miner's message; the change is retried after a backoff"),
        };
    }

    private static JsonObject? Parse(string text)
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

    private ChannelError Error(ChannelErrorKind kind, ChannelTarget target, string message, string fix) => new(kind, target.MinerId, Name, message, fix);
}
