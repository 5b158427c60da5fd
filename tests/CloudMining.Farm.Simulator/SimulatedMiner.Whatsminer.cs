using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CloudMining.Farm.Shared.Firmware.Channels;
using CloudMining.Farm.Simulator.Mining;
using CloudMining.Farm.Simulator.Personalities;
using CloudMining.Farm.Simulator.Wire;

namespace CloudMining.Farm.Simulator;

/// <summary>
/// Whatsminer's privileged APIs, as MicroBT's public documents describe them (docs/simulator.md cites them).
/// API v2 on the API port: <c>get_token</c> issues time, salt and newsalt (Code 134); a write is
/// {"enc":1,"data":base64(AES-256-ECB(JSON))} under SHA-256 of md5-crypt(admin password, salt), signed with
/// md5-crypt(that hash + time, newsalt); the answer is encrypted the same way. Refusals: Code 45 "can't access write
/// cmd" (writes not enabled in WhatsMinerTool), 135 "check token error" (wrong password, unknown or expired token),
/// 136 "token over max times" (32 live tokens), 137 "base64 decode error", 14 "invalid API command or data",
/// 45 for a privileged command sent in plaintext. A token lives 30 minutes (mining clock).
/// API v3 (late-2024 firmware, <see cref="WhatsminerV3Personality"/>) on its own port: see
/// <see cref="RespondWhatsminerV3"/>; such a miner answers API v2's privileged requests with Code 14.
/// </summary>
public sealed partial class SimulatedMiner
{
    private const int MaxTokens = 32;
    private static readonly TimeSpan TokenLifetime = TimeSpan.FromMinutes(30);
    private static readonly HashSet<string> V2Writes = ["update_pools", "restart_btminer", "reboot", "power_off", "power_on", "adjust_power_limit", "set_led"];

    private readonly List<IssuedToken> _tokens = [];
    private double? _powerLimitWatts;
    private long _apiLoginsRefused;

    /// <summary>Privileged API requests (v2 or v3) refused for a wrong password or an unknown token.</summary>
    public long ApiLoginsRefused => Interlocked.Read(ref _apiLoginsRefused);

    /// <summary>The power limit set through adjust_power_limit / set.miner.power_limit, or null (the model's stock power).</summary>
    public double? PowerLimitWatts
    {
        get
        {
            lock (_gate)
            {
                return _powerLimitWatts;
            }
        }
    }

    /// <summary>Where API v3 listens, or null when this miner's firmware has none.</summary>
    public System.Net.IPEndPoint? ApiV3EndPoint => _v3?.EndPoint;

    /// <summary>The salt get.device.info reports (fixed per miner, like the real firmware's).</summary>
    internal string ApiV3Salt => Salt(DeterministicNoise.Hash(Spec.Seed, 1004, 0));

    /// <summary>Hashing under a power limit: work scales with the limit below stock power, as btminer lowers frequency to meet it.</summary>
    private double PowerLimitFactor => _powerLimitWatts is { } w ? Math.Clamp(w / Model.PowerWatts, 0, 1) : 1;

    /// <summary>Writes work only when switched on in WhatsMinerTool, which refuses to do so while the factory password (admin; super on API v3) is in use.</summary>
    private bool WritesAllowed => Spec.ApiWritesEnabled && Spec.ApiPassword is not ("admin" or "super");

    /// <summary>API v2's privileged requests ({"cmd":…} or {"enc":…}); null leaves the request to the cgminer-style reads.</summary>
    internal byte[]? RespondWhatsminerV2(ReadOnlySpan<byte> request, out bool restartAfterReply)
    {
        restartAfterReply = false;
        JsonObject? o;
        try
        {
            o = JsonNode.Parse(Encoding.UTF8.GetString(request).TrimEnd('\0', '\n', '\r', ' ')) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }

        if (o is null || (o["enc"] is null && o["cmd"] is null))
        {
            return null;
        }

        bool v3Firmware = Personality is WhatsminerPersonality { ServesApiV3: true };
        string? cmd = o["cmd"]?.ToString();
        if (o["enc"] is null && cmd is not null && cmd != "get_token" && !V2Writes.Contains(cmd))
        {
            // A read in the {"cmd":…} form: answered like {"command":…}.
            return Bytes(ReplyRenderer.Json(Execute(cmd, o["param"]?.ToString(), ref restartAfterReply)));
        }

        Interlocked.Increment(ref _writeRequests);
        if (v3Firmware)
        {
            return Bytes(V2Status("E", 14, "invalid API command or data"));
        }

        if (o["enc"] is null)
        {
            if (cmd == "get_token")
            {
                return Bytes(IssueToken());
            }

            // The writable API takes ciphertext only.
            return Bytes(V2Status("E", 45, "permission denied"));
        }

        if (!WritesAllowed)
        {
            return Bytes(V2Status("E", 45, "can't access write cmd"));
        }

        string data = o["data"]?.ToString() ?? string.Empty;
        try
        {
            _ = Convert.FromBase64String(data);
        }
        catch (FormatException)
        {
            return Bytes(V2Status("E", 137, "base64 decode error"));
        }

        (IssuedToken? token, JsonObject? command) = Open(data);
        if (token is null || command is null)
        {
            Interlocked.Increment(ref _apiLoginsRefused);
            return Bytes(V2Status("E", 135, "check token error"));
        }

        string inner = RunV2(command, ref restartAfterReply);
        return Bytes(new JsonObject { ["enc"] = WhatsminerCrypto.EncryptBase64(token.Key, inner) }.ToJsonString());
    }

    private string IssueToken()
    {
        DateTimeOffset now = _clocks.Mining.GetUtcNow();
        lock (_gate)
        {
            _tokens.RemoveAll(t => t.Expires <= now);
            if (_tokens.Count >= MaxTokens)
            {
                return V2Status("E", 136, "token over max times");
            }

            string time = now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
            string salt = Salt(BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8)));
            string newSalt = Salt(BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8)));
            (byte[] key, string sign) = WhatsminerCrypto.DeriveV2(Spec.ApiPassword, salt, newSalt, time);
            _tokens.Add(new IssuedToken(key, sign, now + TokenLifetime));
            return new JsonObject
            {
                ["STATUS"] = "S",
                ["When"] = now.ToUnixTimeSeconds(),
                ["Code"] = 134,
                ["Msg"] = new JsonObject { ["time"] = time, ["salt"] = salt, ["newsalt"] = newSalt },
                ["Description"] = string.Empty,
            }.ToJsonString();
        }
    }

    /// <summary>Finds the live token whose key decrypts the data into JSON carrying that token's signature.</summary>
    private (IssuedToken? Token, JsonObject? Command) Open(string data)
    {
        DateTimeOffset now = _clocks.Mining.GetUtcNow();
        IssuedToken[] live;
        lock (_gate)
        {
            live = _tokens.Where(t => t.Expires > now).ToArray();
        }

        foreach (IssuedToken t in live)
        {
            string? plain = WhatsminerCrypto.DecryptBase64(t.Key, data);
            if (plain is null)
            {
                continue;
            }

            try
            {
                if (JsonNode.Parse(plain) is JsonObject command && command["token"]?.ToString() == t.Sign)
                {
                    return (t, command);
                }
            }
            catch (JsonException)
            {
                // Another token's key: garbage.
            }
        }

        return (null, null);
    }

    private string RunV2(JsonObject c, ref bool restartAfterReply)
    {
        string cmd = c["cmd"]?.ToString() ?? c["command"]?.ToString() ?? string.Empty;
        if (!V2Writes.Contains(cmd))
        {
            // The readable API in ciphertext mode.
            return Personality.Read(cmd, c["param"]?.ToString(), Snapshot()) is { } read
                ? ReplyRenderer.Json(read)
                : V2Status("E", 14, "invalid API command or data");
        }

        switch (cmd)
        {
            case "update_pools":
                var wanted = new List<PoolDefinition>();
                for (int i = 1; i <= 3; i++)
                {
                    string n = i.ToString(CultureInfo.InvariantCulture);
                    string url = c["pool" + n]?.ToString() ?? string.Empty;
                    if (url.Length > 0)
                    {
                        wanted.Add(new PoolDefinition(url, c["worker" + n]?.ToString() ?? string.Empty, c["passwd" + n]?.ToString() ?? string.Empty));
                    }
                }

                if (wanted.Count == 0)
                {
                    return V2Status("E", 132, "command error");
                }

                ReplacePools(wanted);
                break;
            case "restart_btminer":
            case "reboot":
                restartAfterReply = true;
                break;
            case "power_off":
            case "power_on":
                lock (_gate)
                {
                    AdvanceLocked(_clocks.Mining.GetUtcNow());
                    _sleeping = cmd == "power_off";
                    RecomputeActiveLocked();
                }

                break;
            case "adjust_power_limit":
                if (!double.TryParse(c["power_limit"]?.ToString(), NumberStyles.Float, CultureInfo.InvariantCulture, out double watts) || watts < 1 || watts > 99999)
                {
                    return V2Status("E", 132, "command error");
                }

                SetPowerLimit(watts);
                break;
            case "set_led":
                if (c["param"]?.ToString() == "auto")
                {
                    SetBlinking(false);
                }
                else if (c["color"]?.ToString() is "red" or "green")
                {
                    SetBlinking(true);
                }
                else
                {
                    return V2Status("E", 14, "invalid API command or data");
                }

                break;
        }

        return V2Status("S", 131, "API command OK");
    }

    /// <summary>API v3: one framed JSON request in, one framed JSON answer out (see <see cref="Network.WhatsminerV3Listener"/>).</summary>
    internal byte[] RespondWhatsminerV3(ReadOnlySpan<byte> request, out bool restartAfterReply)
    {
        restartAfterReply = false;
        long when = _clocks.Mining.GetUtcNow().ToUnixTimeSeconds();
        JsonObject? o;
        try
        {
            o = JsonNode.Parse(Encoding.UTF8.GetString(request)) as JsonObject;
        }
        catch (JsonException)
        {
            o = null;
        }

        string cmd = o?["cmd"]?.ToString() ?? string.Empty;
        if (o is null || cmd.Length == 0)
        {
            return Bytes(V3Answer(-1, "invalid json", cmd, when));
        }

        if (cmd.StartsWith("get.", StringComparison.Ordinal))
        {
            return cmd == "get.device.info"
                ? Bytes(new JsonObject { ["code"] = 0, ["when"] = when, ["msg"] = DeviceInfo(o["param"]?.ToString()), ["desc"] = cmd }.ToJsonString())
                : Bytes(V3Answer(-2, "invalid command", cmd, when));
        }

        Interlocked.Increment(ref _writeRequests);
        if (!WritesAllowed)
        {
            return Bytes(V3Answer(-1, "no permission", cmd, when));
        }

        string account = o["account"]?.ToString() ?? string.Empty;
        long ts = o["ts"] is JsonValue tv && tv.TryGetValue(out long t) ? t : long.MinValue;
        (string token, byte[] key) = WhatsminerCrypto.DeriveV3(cmd, Spec.ApiPassword, ApiV3Salt, ts);
        if (account != "super" || ts == long.MinValue || o["token"]?.ToString() != token)
        {
            Interlocked.Increment(ref _apiLoginsRefused);
            return Bytes(V3Answer(-1, "invalid token", cmd, when));
        }

        JsonNode? param = o["param"];
        string? text = param is JsonValue pv && pv.GetValueKind() == JsonValueKind.String ? pv.GetValue<string>() : null;
        switch (cmd)
        {
            case "set.miner.pools":
                string? plain = text is null ? null : WhatsminerCrypto.DecryptBase64(key, text);
                List<PoolDefinition>? pools = plain is null ? null : ReadV3Pools(plain);
                if (pools is null)
                {
                    return Bytes(V3Answer(-2, "invalid param", cmd, when));
                }

                ReplacePools(pools);
                break;
            case "set.miner.service" when text is "start" or "stop" or "restart":
                if (text == "restart")
                {
                    restartAfterReply = true;
                }
                else
                {
                    lock (_gate)
                    {
                        AdvanceLocked(_clocks.Mining.GetUtcNow());
                        _sleeping = text == "stop";
                        RecomputeActiveLocked();
                    }
                }

                break;
            case "set.system.reboot":
                restartAfterReply = true;
                break;
            case "set.miner.power_limit" when param is JsonValue w && double.TryParse(w.ToString(), NumberStyles.Float, CultureInfo.InvariantCulture, out double watts) && watts is >= 1 and <= 99999:
                SetPowerLimit(watts);
                break;
            case "set.system.led" when text == "auto":
                SetBlinking(false);
                break;
            case "set.system.led" when param is JsonArray { Count: > 0 }:
                SetBlinking(true);
                break;
            case "set.miner.pools" or "set.miner.service" or "set.system.reboot" or "set.miner.power_limit" or "set.system.led":
                return Bytes(V3Answer(-2, "invalid param", cmd, when));
            default:
                return Bytes(V3Answer(-2, "invalid command", cmd, when));
        }

        return Bytes(V3Answer(0, "ok", cmd, when));
    }

    private JsonObject DeviceInfo(string? part)
    {
        MinerView v = Snapshot();
        var all = new JsonObject
        {
            ["salt"] = ApiV3Salt,
            ["system"] = new JsonObject { ["api"] = "3.0.2", ["fwversion"] = Identity.FirmwareVersion, ["ledstatus"] = Blinking ? "manual" : "auto" },
            ["miner"] = new JsonObject { ["type"] = Model.Name, ["working"] = v.Hash5s > 0 ? "true" : "false", ["pool-strategy"] = "FAILOVER" },
            ["network"] = new JsonObject { ["mac"] = Identity.Mac, ["hostname"] = "WhatsMiner" },
        };
        return part is not null && all[part] is { } one ? new JsonObject { [part] = one.DeepClone() } : all;
    }

    private static List<PoolDefinition>? ReadV3Pools(string json)
    {
        try
        {
            if (JsonNode.Parse(json) is not JsonArray list || list.Count is 0 or > 3)
            {
                return null;
            }

            var pools = new List<PoolDefinition>();
            foreach (JsonNode? item in list)
            {
                string url = item?["pool"]?.ToString() ?? string.Empty;
                if (url.Length == 0)
                {
                    return null;
                }

                pools.Add(new PoolDefinition(url, item?["worker"]?.ToString() ?? string.Empty, item?["passwd"]?.ToString() ?? string.Empty));
            }

            return pools;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// The new list in order; a pool kept as it was (same URL, worker and password) keeps its counters, so the pool
    /// ledger sees the hashrate move; a changed password makes it a new pool entry. <paramref name="sleeping"/>, when
    /// given, is the work mode the same write sets (Bitmain's miner-mode).
    /// </summary>
    private void ReplacePools(List<PoolDefinition> wanted, bool? sleeping = null)
    {
        lock (_gate)
        {
            AdvanceLocked(_clocks.Mining.GetUtcNow());
            var next = new List<MinerPool>(wanted.Count);
            for (int i = 0; i < wanted.Count; i++)
            {
                PoolDefinition d = wanted[i];
                MinerPool pool = _pools.FirstOrDefault(p => p.Url == d.Url && p.User == d.User && p.Password == d.Password && !next.Contains(p))
                    ?? new MinerPool(d, i);
                pool.Priority = i;
                pool.Enabled = true;
                next.Add(pool);
            }

            _pools.Clear();
            _pools.AddRange(next);
            foreach (MinerPool p in _pools)
            {
                _ledger.Touch(p.Url, p.User);
            }

            if (sleeping is { } mode)
            {
                _sleeping = mode;
            }

            RecomputeActiveLocked();
        }
    }

    private void SetPowerLimit(double watts)
    {
        lock (_gate)
        {
            AdvanceLocked(_clocks.Mining.GetUtcNow());
            _powerLimitWatts = watts >= Model.PowerWatts ? null : watts;
            RecomputeActiveLocked();
        }
    }

    private void SetBlinking(bool on)
    {
        lock (_gate)
        {
            _blinking = on;
        }
    }

    private string V2Status(string status, int code, string msg) => new JsonObject
    {
        ["STATUS"] = status,
        ["When"] = _clocks.Mining.GetUtcNow().ToUnixTimeSeconds(),
        ["Code"] = code,
        ["Msg"] = msg,
        ["Description"] = string.Empty,
    }.ToJsonString();

    private static string V3Answer(int code, string msg, string cmd, long when) =>
        new JsonObject { ["code"] = code, ["when"] = when, ["msg"] = msg, ["desc"] = cmd }.ToJsonString();

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>8 characters of [A-Za-z0-9], as the firmware's salts look.</summary>
    private static string Salt(ulong seed)
    {
        const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        var s = new StringBuilder(8);
        for (int i = 0; i < 8; i++)
        {
            s.Append(Alphabet[(int)(seed % (ulong)Alphabet.Length)]);
            seed /= (ulong)Alphabet.Length;
        }

        return s.ToString();
    }

    private sealed record IssuedToken(byte[] Key, string Sign, DateTimeOffset Expires)
    {
        public override string ToString() => "token (hidden)";
    }
}
