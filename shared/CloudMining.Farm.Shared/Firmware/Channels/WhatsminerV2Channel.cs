using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CloudMining.Farm.Shared.Units;

namespace CloudMining.Farm.Shared.Firmware.Channels;

/// <summary>
/// Whatsminer btminer's privileged API v2 (MicroBT "Whatsminer API V2.0.x") on the API port, 4028: <c>get_token</c>
/// answers time, salt and newsalt; the AES-256 key is SHA-256 of the md5-crypt hash of the admin password with the
/// salt, the signature the md5-crypt hash of that hash and the time with newsalt; a command is the JSON
/// {"cmd":…,"token":signature,…parameters} NUL-padded, AES-256-ECB encrypted and base64'd in {"enc":1,"data":…}, and
/// the answer comes back encrypted the same way. Writes work only once the vendor's tool has enabled them (which
/// needs the default password changed). A token lives 30 minutes on the miner and an address may hold 32, so tokens
/// are kept per miner for 25 minutes. Neither password, key nor token ever reaches a message.
/// </summary>
public sealed class WhatsminerV2Channel : WhatsminerChannel
{
    private static readonly TimeSpan TokenLifetime = TimeSpan.FromMinutes(25);

    private readonly ConcurrentDictionary<string, Token> _tokens = new(StringComparer.Ordinal);

    public WhatsminerV2Channel(TimeSpan timeout, TimeProvider? time = null)
        : base(timeout, time)
    {
    }

    public override WriteChannelKind Kind => WriteChannelKind.WhatsminerV2;

    protected override string PoolCommand => "update_pools";

    protected override string PowerLimitCommand => "adjust_power_limit";

    protected override string LoginStage => "get_token";

    protected override string ProbeReadyText => "a token was issued and the encrypted login accepted";

    /// <summary>update_pools carries exactly three slots: pool1…3, worker1…3, passwd1…3 (empty when unused).</summary>
    protected override JsonNode PoolsParameter(IReadOnlyList<PoolEntry> pools)
    {
        ArgumentNullException.ThrowIfNull(pools);
        var parameters = new JsonObject();
        for (int i = 0; i < MaxPools; i++)
        {
            PoolEntry? p = i < pools.Count ? pools[i] : null;
            string n = (i + 1).ToString(CultureInfo.InvariantCulture);
            parameters["pool" + n] = p?.Url ?? string.Empty;
            parameters["worker" + n] = p?.User ?? string.Empty;
            parameters["passwd" + n] = p?.Password ?? string.Empty;
        }

        return parameters;
    }

    protected override JsonNode? RouteParameter(OperationRoute route)
    {
        ArgumentNullException.ThrowIfNull(route);
        var parameters = new JsonObject();
        if (route.Operation == MinerOperation.LocateOn && route.Field is null && route.Value is null)
        {
            // set_led's manual mode as the API document describes it: colour, flash period, on time and offset in ms.
            parameters["color"] = "red";
            parameters["period"] = 1000;
            parameters["duration"] = 500;
            parameters["start"] = 0;
        }
        else if (route.Value is { } value)
        {
            parameters[route.Field ?? "param"] = value;
        }

        return parameters;
    }

    // The document's example sends the limit as a string of whole watts.
    protected override JsonNode PowerLimitParameter(OperationRoute route, long watts)
    {
        ArgumentNullException.ThrowIfNull(route);
        return new JsonObject { [route.Field ?? "power_limit"] = watts.ToString(CultureInfo.InvariantCulture) };
    }

    /// <summary>Obtains a token and sends one encrypted read (summary).</summary>
    protected override Task<ChannelResult> ProbeCallAsync(ChannelTarget target, CancellationToken cancellationToken) =>
        SendAsync(target, MinerOperation.RestartMining, "summary", new JsonObject(), secret: false, probe: true, cancellationToken);

    /// <summary>Every v2 command travels encrypted, so <paramref name="secret"/> changes nothing here.</summary>
    protected override async Task<ChannelResult> SendAsync(ChannelTarget target, MinerOperation op, string command, JsonNode? parameter, bool secret, bool probe, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        JsonObject parameters = parameter as JsonObject ?? new JsonObject();
        if (target.Credential is null)
        {
            return ChannelResult.Failed(op, Name, 0, [], Error(ChannelErrorKind.MissingCredentials, target,
                $"no admin password is configured for it (the {Name} channel needs one; nothing was sent)",
                $"add {{ \"Miner\": \"{target.MinerId}\", \"Profile\": \"{target.Profile.Name}\", \"Password\": \"…\" }} to Agent:MinerCredentials (in the secrets file or FARM_AGENT_Agent__MinerCredentials__N__Password): the admin password set with WhatsMinerTool"));
        }

        int sent = 0;
        string stage = "get_token";
        string cacheKey = CacheKey(target);
        try
        {
            for (int attempt = 0; ; attempt++)
            {
                bool cached = _tokens.TryGetValue(cacheKey, out Token? token) && token.Expires > Clock.GetUtcNow();
                if (!cached)
                {
                    stage = "get_token";
                    sent++;
                    string tokenText = await WhatsminerWire.ExchangeV2Async(target.Endpoint.Host, target.Endpoint.Port, """{"cmd":"get_token"}""", ReplyTimeout, cancellationToken);
                    (token, ChannelError? refused) = ReadToken(target, tokenText, target.Credential);
                    if (token is null)
                    {
                        return ChannelResult.Failed(op, Name, sent, [], refused!);
                    }

                    _tokens[cacheKey] = token;
                }

                stage = command;
                JsonObject message = parameters.DeepClone().AsObject();
                message["cmd"] = command;
                message["token"] = token!.Sign;
                string envelope = new JsonObject { ["enc"] = 1, ["data"] = WhatsminerCrypto.EncryptBase64(token.AesKey, message.ToJsonString()) }.ToJsonString();
                sent++;
                string text = await WhatsminerWire.ExchangeV2Async(target.Endpoint.Host, target.Endpoint.Port, envelope, ReplyTimeout, cancellationToken);
                if (text.Length == 0 && op is MinerOperation.Reboot or MinerOperation.Pause or MinerOperation.RestartMining && !probe)
                {
                    // The firmware may go down before it answers a reboot or a power-off.
                    return ChannelResult.Ok(op, Name, sent, [$"{command}: the miner closed the connection without an answer (it is going down)"]);
                }

                WhatsminerReply? reply = Decode(text, token.AesKey);
                if (reply is null)
                {
                    return ChannelResult.Failed(op, Name, sent, [], Error(ChannelErrorKind.MalformedReply, target,
                        $"{command} got an answer that is neither the firmware's JSON nor decrypts with the derived key", "check that the miner runs Whatsminer btminer with API v2 (the profile's detection may have picked the wrong one)"));
                }

                if (reply.Success)
                {
                    return ChannelResult.Ok(op, Name, sent, [$"{command}: {(probe ? "login accepted" : reply.Message)}"]);
                }

                if (reply.Code == 135 && cached && attempt == 0)
                {
                    // The miner forgot the token (expired or rebooted): one more time with a fresh one.
                    _tokens.TryRemove(cacheKey, out _);
                    continue;
                }

                if (reply.Code is 135 or 45 or 14)
                {
                    _tokens.TryRemove(cacheKey, out _);
                }

                return ChannelResult.Failed(op, Name, sent, [], Refused(target, command, reply));
            }
        }
        catch (Exception e) when (WhatsminerWire.Transport(e, cancellationToken))
        {
            return TransportFailed(e, target, target.Endpoint.Port, op, stage, sent, probe, "the API",
                "check the miner is powered and reachable on its API port; the change is tried again once it answers");
        }
    }

    private (Token? Token, ChannelError? Error) ReadToken(ChannelTarget target, string text, MinerCredential login)
    {
        JsonObject? o = ParseObject(text);
        WhatsminerReply? reply = o is null ? null : WhatsminerReply.ParseV2(o);
        if (reply is null)
        {
            return (null, Error(ChannelErrorKind.MalformedReply, target, "get_token got an answer that is not the firmware's JSON", "check that the miner runs Whatsminer btminer (the profile's detection may have picked the wrong one)"));
        }

        if (!reply.Success)
        {
            return (null, Refused(target, "get_token", reply));
        }

        if (reply.Msg is not JsonObject msg || msg["time"]?.ToString() is not { } time || msg["salt"]?.ToString() is not { } salt || msg["newsalt"]?.ToString() is not { } newSalt)
        {
            return (null, Error(ChannelErrorKind.MalformedReply, target, "get_token answered without time, salt and newsalt", "check the firmware speaks the Whatsminer API v2"));
        }

        (byte[] key, string sign) = WhatsminerCrypto.DeriveV2(login.Password, salt, newSalt, time);
        return (new Token(key, sign, Clock.GetUtcNow() + TokenLifetime), null);
    }

    private static WhatsminerReply? Decode(string text, byte[] key)
    {
        JsonObject? o = ParseObject(text);
        if (o is null)
        {
            return null;
        }

        if (o["enc"] is JsonValue enc && enc.GetValueKind() == JsonValueKind.String)
        {
            string? plain = WhatsminerCrypto.DecryptBase64(key, enc.GetValue<string>());
            JsonObject? inner = plain is null ? null : ParseObject(plain);
            return inner is null ? null : WhatsminerReply.ParseV2(inner);
        }

        return WhatsminerReply.ParseV2(o);
    }

    /// <summary>The firmware's codes (API v2.0.5): 14 invalid command, 23 invalid JSON, 45 permission denied, 132 command error, 135 check token error, 136 token over max times, 137 base64 decode error.</summary>
    private ChannelError Refused(ChannelTarget target, string command, WhatsminerReply reply)
    {
        string said = string.Create(CultureInfo.InvariantCulture, $"{command} refused with Code {reply.Code?.ToString(CultureInfo.InvariantCulture) ?? "?"} \"{reply.Message}\"");
        return reply.Code switch
        {
            135 => Error(ChannelErrorKind.AuthenticationFailed, target, said + " (the miner did not accept the login: wrong admin password)",
                $"set this miner's admin password (the one set with WhatsMinerTool) in Agent:MinerCredentials, entry for \"{target.MinerId}\" or its profile '{target.Profile.Name}'"),
            45 => Error(ChannelErrorKind.AccessDenied, target, said + " (API writes are not enabled on the miner)",
                "in WhatsMinerTool change the miner's default admin password and switch on API write access, then put that password in Agent:MinerCredentials"),
            14 => Error(ChannelErrorKind.NotSupported, target, said + " (the firmware does not know this command)",
                $"firmware from November 2024 on speaks API v3 on port 4433: check the firmware version and that the profile '{target.Profile.Name}' is the right one (whatsminer-v3 routes to it)"),
            136 => Error(ChannelErrorKind.CommandError, target, said + " (the miner holds too many tokens for this address)", "the tokens expire after 30 minutes; the agent tries again after a backoff"),
            _ => Error(ChannelErrorKind.CommandError, target, said, "see the miner's message; the agent tries again after a backoff"),
        };
    }

    /// <summary>Tokens are per miner and login: a changed password gets a new one.</summary>
    private static string CacheKey(ChannelTarget target) =>
        target.Endpoint.Host + ":" + target.Endpoint.Port.ToString(CultureInfo.InvariantCulture) + "|" +
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(target.Credential!.User + "\n" + target.Credential.Password)));

    private sealed class Token(byte[] aesKey, string sign, DateTimeOffset expires)
    {
        public byte[] AesKey { get; } = aesKey;

        public string Sign { get; } = sign;

        public DateTimeOffset Expires { get; } = expires;

        public override string ToString() => "whatsminer token (hidden)";
    }
}
