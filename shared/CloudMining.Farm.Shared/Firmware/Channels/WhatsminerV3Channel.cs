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
public sealed class WhatsminerV3Channel : WhatsminerChannel
{
    public const int DefaultPort = 4433;

    public WhatsminerV3Channel(TimeSpan timeout, TimeProvider? time = null)
        : base(timeout, time)
    {
    }

    public override WriteChannelKind Kind => WriteChannelKind.WhatsminerV3;

    protected override string PoolCommand => "set.miner.pools";

    protected override string PowerLimitCommand => "set.miner.power_limit";

    protected override string LoginStage => "get.device.info";

    protected override string ProbeReadyText => "the salt was read and a signed command's login accepted";

    protected override JsonNode PoolsParameter(IReadOnlyList<PoolEntry> pools)
    {
        ArgumentNullException.ThrowIfNull(pools);
        var list = new JsonArray();
        foreach (PoolEntry p in pools)
        {
            list.Add(new JsonObject { ["pool"] = p.Url, ["worker"] = p.User, ["passwd"] = p.Password });
        }

        return list;
    }

    protected override JsonNode? RouteParameter(OperationRoute route)
    {
        ArgumentNullException.ThrowIfNull(route);
        JsonNode? param = route.Value is { } value ? JsonValue.Create(value) : null;
        if (route.Operation == MinerOperation.LocateOn && param is null)
        {
            // set.system.led's manual mode: a list of {color, period, duration, start} in ms.
            param = new JsonArray { new JsonObject { ["color"] = "red", ["period"] = 1000, ["duration"] = 500, ["start"] = 0 } };
        }

        return param;
    }

    protected override JsonNode PowerLimitParameter(OperationRoute route, long watts) => JsonValue.Create(watts);

    /// <summary>
    /// Reads the salt, then signs a <c>set.system.led</c> whose parameter no firmware accepts: the login is checked
    /// ("-2" means the token was good and the parameter refused) and nothing changes.
    /// </summary>
    protected override Task<ChannelResult> ProbeCallAsync(ChannelTarget target, CancellationToken cancellationToken) =>
        SendAsync(target, MinerOperation.LocateOff, "set.system.led", JsonValue.Create("probe"), secret: false, probe: true, cancellationToken);

    private int Port(ChannelTarget target) => target.ChannelPort ?? target.Profile.ChannelPort(Kind) ?? DefaultPort;

    /// <summary>Only a <paramref name="secret"/> parameter (the pool list, with its passwords) is encrypted, as the API document says.</summary>
    protected override async Task<ChannelResult> SendAsync(ChannelTarget target, MinerOperation op, string command, JsonNode? parameter, bool secret, bool probe, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        JsonNode? param = parameter;
        bool encrypt = secret;
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
            string saltText = await WhatsminerWire.ExchangeV3Async(target.Endpoint.Host, port, """{"cmd":"get.device.info","param":"salt"}""", ReplyTimeout, cancellationToken);
            JsonObject? saltAnswer = ParseObject(saltText);
            WhatsminerReply? saltReply = saltAnswer is null ? null : WhatsminerReply.ParseV3(saltAnswer);
            if (saltReply is null || !saltReply.Success || saltReply.Msg?["salt"] is not JsonValue saltValue || saltValue.GetValueKind() != JsonValueKind.String)
            {
                return ChannelResult.Failed(op, Name, sent, [], saltReply is { Success: false }
                    ? Refused(target, stage, saltReply)
                    : Error(ChannelErrorKind.MalformedReply, target, "get.device.info did not answer a salt", $"check that the miner runs Whatsminer firmware with API v3 on port {port}"));
            }

            long ts = Clock.GetUtcNow().ToUnixTimeSeconds();
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
            string text = await WhatsminerWire.ExchangeV3Async(target.Endpoint.Host, port, message.ToJsonString(), ReplyTimeout, cancellationToken);
            JsonObject? answer = ParseObject(text);
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
            return TransportFailed(e, target, port, op, stage, sent, probe, "API v3",
                $"check the miner is powered and its firmware serves API v3 on port {port} (firmware from November 2024 on); older firmware needs the whatsminer profile (API v2 on 4028)");
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
            _ => Error(ChannelErrorKind.CommandError, target, said, "see the miner's message; the agent tries again after a backoff"),
        };
    }
}
