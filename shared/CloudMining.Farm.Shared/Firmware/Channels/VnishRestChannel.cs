using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CloudMining.Farm.Shared.Units;

namespace CloudMining.Farm.Shared.Firmware.Channels;

/// <summary>
/// VNish (AnthillOS) REST API under <c>/api/v1</c> on the miner's web port, as its published OpenAPI description
/// ("xminer-api") gives it: <c>POST /unlock {"pw": …}</c> answers <c>{"token": …}</c> (403 on a wrong password, 429
/// after too many), and every write carries <c>Authorization: Bearer &lt;token&gt;</c> (401 without a valid one).
/// Pools are <c>miner.pools</c> of <c>POST /settings</c> (at most three, url/user/pass, no quota); power is a tuned
/// autotune preset (<c>GET /autotune/presets</c>, <c>miner.overclock.preset</c>); stop/start, restart, reboot and the
/// locate LED (<c>find-miner</c>, a toggle whose state <c>GET /status</c> shows as <c>find_miner</c>) are POSTs. The
/// channel unlocks once per operation (and once more if a request is refused with 401, the token having expired) and
/// keeps no token between operations. Nothing it reads (settings hold the pool passwords) goes into a message.
/// </summary>
public sealed class VnishRestChannel : WriteChannel
{
    private const string Api = "/api/v1/";
    private const string SerialRetry = "the serial is read again later";
    private readonly TimeSpan _timeout;

    public VnishRestChannel(TimeSpan timeout)
    {
        _timeout = timeout > TimeSpan.Zero ? timeout : TimeSpan.FromSeconds(5);
    }

    public override WriteChannelKind Kind => WriteChannelKind.VnishRest;

    public override bool WritesWholePoolList => true;

    public override async Task<ChannelResult> SetPoolsAsync(ChannelTarget target, IReadOnlyList<PoolEntry> pools, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(pools);
        const MinerOperation op = MinerOperation.SetPools;
        if (RefuseFailoverList(target, pools, target.Profile.Web.MaxPools, "VNish's settings hold", "VNish's pool settings have no quota (url, user and pass only)") is { } refused)
        {
            return refused;
        }

        var list = new JsonArray();
        foreach (PoolEntry p in pools)
        {
            list.Add(new JsonObject { ["url"] = p.Url, ["user"] = p.User, ["pass"] = p.Password });
        }

        return await WithSessionAsync(target, op, async (session, ct) =>
        {
            string path = target.Profile.Route(op)?.Command ?? "settings";
            (HttpResponseMessage? saved, ChannelResult? failed) = await session.SendAsync(HttpMethod.Post, path, new JsonObject { ["miner"] = new JsonObject { ["pools"] = list } }, ct);
            if (failed is not null)
            {
                return failed;
            }

            using HttpResponseMessage response = saved!;
            JsonObject? result = await ReadObjectAsync(response, ct);
            var messages = new List<string> { "settings saved" };
            if (result?["restart_required"]?.GetValueKind() == JsonValueKind.True)
            {
                // VNish applies some settings only after the mining software restarts; it says so in the answer.
                (HttpResponseMessage? restarted, ChannelResult? restartFailed) = await session.SendAsync(HttpMethod.Post, "mining/restart", null, ct);
                if (restartFailed is not null)
                {
                    return restartFailed;
                }

                restarted!.Dispose();
                messages.Add("mining restarted to apply them");
            }

            return ChannelResult.Ok(op, Name, session.Sent, messages);
        }, cancellationToken);
    }

    public override async Task<ChannelResult> RunAsync(ChannelTarget target, OperationRoute route, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(route);
        string path = route.Command ?? throw new ArgumentException($"The {Name} route for {route.Operation} names no API path.", nameof(route));
        return await WithSessionAsync(target, route.Operation, async (session, ct) =>
        {
            if (route.Field is { } field && bool.TryParse(route.Value, out bool wanted))
            {
                // A toggle (find-miner): read its state from /status first, so that asking twice leaves it as asked.
                (HttpResponseMessage? status, ChannelResult? statusFailed) = await session.SendAsync(HttpMethod.Get, "status", null, ct);
                if (statusFailed is not null)
                {
                    return statusFailed;
                }

                bool? now;
                using (status)
                {
                    now = (await ReadObjectAsync(status!, ct))?[field]?.GetValueKind() switch
                    {
                        JsonValueKind.True => true,
                        JsonValueKind.False => false,
                        _ => null,
                    };
                }

                if (now == wanted)
                {
                    return ChannelResult.Ok(route.Operation, Name, session.Sent, [$"{field} already {(wanted ? "on" : "off")}"]);
                }
            }

            (HttpResponseMessage? answer, ChannelResult? failed) = await session.SendAsync(HttpMethod.Post, path, null, ct);
            if (failed is not null)
            {
                return failed;
            }

            answer!.Dispose();
            return ChannelResult.Ok(route.Operation, Name, session.Sent, [$"{path} accepted"]);
        }, cancellationToken);
    }

    public override async Task<ChannelResult> SetPowerTargetAsync(ChannelTarget target, OperationRoute route, Power power, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(route);
        const MinerOperation op = MinerOperation.SetPowerTarget;
        return await WithSessionAsync(target, op, async (session, ct) =>
        {
            (IReadOnlyList<(string Name, double Watts)>? presets, ChannelResult? failed) = await PresetsAsync(session, op, ct);
            if (failed is not null)
            {
                return failed;
            }

            if (presets!.Count == 0)
            {
                return ChannelResult.Failed(op, Name, session.Sent, [], Error(ChannelErrorKind.NotSupported, target,
                    "VNish lists no autotune preset with a power in watts", "run the autotune on the miner's web page first; VNish sets power only through its presets"));
            }

            double watts = power.Watts;
            (string chosen, double chosenWatts) = presets.MinBy(p => Math.Abs(p.Watts - watts));
            (HttpResponseMessage? read, ChannelResult? readFailed) = await session.SendAsync(HttpMethod.Get, "settings", null, ct);
            if (readFailed is not null)
            {
                return readFailed;
            }

            JsonObject overclock;
            using (read)
            {
                overclock = (await ReadObjectAsync(read!, ct))?["miner"]?["overclock"] is JsonObject o ? (JsonObject)o.DeepClone() : new JsonObject();
            }

            overclock[route.Field ?? "preset"] = chosen;
            (HttpResponseMessage? saved, ChannelResult? saveFailed) = await session.SendAsync(HttpMethod.Post, route.Command ?? "settings", new JsonObject { ["miner"] = new JsonObject { ["overclock"] = overclock } }, ct);
            if (saveFailed is not null)
            {
                return saveFailed;
            }

            saved!.Dispose();

            // VNish answers the same whether the preset took or not: read it back.
            (HttpResponseMessage? check, ChannelResult? checkFailed) = await session.SendAsync(HttpMethod.Get, "settings", null, ct);
            if (checkFailed is not null)
            {
                return checkFailed;
            }

            string? applied;
            using (check)
            {
                applied = (await ReadObjectAsync(check!, ct))?["miner"]?["overclock"]?[route.Field ?? "preset"]?.ToString();
            }

            string presetList = string.Join(", ", presets.Select(p => p.Name));
            if (applied != chosen)
            {
                return ChannelResult.Failed(op, Name, session.Sent, [], Error(ChannelErrorKind.CommandError, target,
                    $"preset '{chosen}' was sent but the settings read back show '{Short(applied ?? "none")}'", "check the miner's web page (a preset may need the modded PSU setting); the agent tries again after a backoff"));
            }

            return ChannelResult.Ok(op, Name, session.Sent,
                [string.Create(CultureInfo.InvariantCulture, $"preset {chosen} ({chosenWatts:0} W), the nearest to {watts:0} W of {presetList}")]);
        }, cancellationToken);
    }

    /// <summary>
    /// GETs the profile's REST path (<c>/api/v1/info</c>) and takes the serial from its fields (<c>serial</c>). VNish's API
    /// description gives that path no security, and its web page shows the miner's info before anyone logs in, so the
    /// read goes without a token first (no login spent, none to lock out); only a build that answers 401 gets the
    /// configured password (unlock, then the same GET with the bearer token). Changes nothing.
    /// </summary>
    public override async Task<SerialRead> ReadSerialAsync(ChannelTarget target, SerialSource source, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(source);
        const MinerOperation op = MinerOperation.SetPools; // only names the results the session builds; nothing is set
        string path = source.Command.Trim('/');
        using HttpClient client = Client(target);
        var session = new Session(this, client, target, op);
        try
        {
            JsonObject? info;
            using (HttpResponseMessage open = await client.GetAsync(new Uri(Api + path, UriKind.Relative), cancellationToken))
            {
                if (open.IsSuccessStatusCode)
                {
                    info = await ReadObjectAsync(open, cancellationToken);
                    return Info(info);
                }

                if (open.StatusCode != HttpStatusCode.Unauthorized)
                {
                    return SerialRead.Failed(Name, Refused(target, open.StatusCode, $"GET {Api}{path}", "identity.serialSource", SerialRetry));
                }
            }

            if (target.Credential is null)
            {
                return SerialRead.Failed(Name, Error(ChannelErrorKind.MissingCredentials, target,
                    $"this VNish build wants a login for GET {Api}{path} (HTTP 401) and none is configured", MissingFix(target)));
            }

            if (await session.UnlockAsync(cancellationToken) is { Error: { } refused })
            {
                return SerialRead.Failed(Name, refused);
            }

            (HttpResponseMessage? answer, ChannelResult? failed) = await session.SendAsync(HttpMethod.Get, path, null, cancellationToken);
            if (failed is { Error: { } error })
            {
                return SerialRead.Failed(Name, error);
            }

            using (answer)
            {
                info = await ReadObjectAsync(answer!, cancellationToken);
            }

            return Info(info);
        }
        catch (Exception e) when (HttpTransport(e, cancellationToken))
        {
            return SerialRead.Failed(Name, Lost(target, $"GET {Api}{path}", e, SerialRetry));
        }

        SerialRead Info(JsonObject? info) => info is null
            ? SerialRead.Failed(Name, Error(ChannelErrorKind.MalformedReply, target, $"GET {Api}{path} did not answer a JSON object",
                "check that the miner runs VNish 1.2 or later (the profile's detection may have picked the wrong one)"))
            : SerialFrom(target, source, info);
    }

    /// <summary>Unlocks with the configured password and reads the preset list (changing nothing).</summary>
    public override async Task<ChannelProbe> ProbeAsync(ChannelTarget target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (target.Credential is null)
        {
            return new ChannelProbe(Name, ChannelProbeStatus.MissingCredentials, "no VNish web password is configured for this miner", MissingFix(target));
        }

        (double, double)? range = null;
        ChannelResult result = await WithSessionAsync(target, MinerOperation.SetPowerTarget, async (session, ct) =>
        {
            (IReadOnlyList<(string Name, double Watts)>? presets, ChannelResult? failed) = await PresetsAsync(session, MinerOperation.SetPowerTarget, ct);
            if (failed is not null)
            {
                return failed;
            }

            range = presets!.Count == 0 ? null : (presets[0].Watts, presets[^1].Watts);

            string said = presets.Count == 0 ? "no power presets" : string.Create(CultureInfo.InvariantCulture,
                $"presets {string.Join(", ", presets.Select(p => p.Name))} ({presets.Min(p => p.Watts):0}–{presets.Max(p => p.Watts):0} W)");
            return ChannelResult.Ok(MinerOperation.SetPowerTarget, Name, session.Sent, [said]);
        }, cancellationToken);

        bool vendorDefault = target.UsesVendorDefaultPassword;
        if (result.Succeeded)
        {
            return new ChannelProbe(Name, ChannelProbeStatus.Ready, result.Messages[0], vendorDefault ? VendorDefaultFix(target) : null)
            {
                VendorDefaultPassword = vendorDefault,
                PowerTargetRange = range,
            };
        }

        ChannelError error = result.Error!;
        return ChannelProbe.Failed(Name, error);
    }

    private async Task<(IReadOnlyList<(string Name, double Watts)>? Presets, ChannelResult? Failed)> PresetsAsync(Session session, MinerOperation op, CancellationToken ct)
    {
        (HttpResponseMessage? answer, ChannelResult? failed) = await session.SendAsync(HttpMethod.Get, "autotune/presets", null, ct);
        if (failed is not null)
        {
            return (null, failed);
        }

        JsonNode? body;
        using (answer)
        {
            body = await ReadNodeAsync(answer!, ct);
        }

        // An array of presets; some versions wrap it as {"presets": [...]}. A preset's name is its power in watts ("3050"), or a word ("disabled").
        JsonArray? items = body as JsonArray ?? body?["presets"] as JsonArray;
        if (items is null)
        {
            return (null, ChannelResult.Failed(op, Name, session.Sent, [], Error(ChannelErrorKind.MalformedReply, session.Target,
                "/api/v1/autotune/presets did not answer a preset list", "check that the miner runs VNish 1.2 or later (the profile's detection may have picked the wrong one)")));
        }

        var presets = new List<(string, double)>();
        foreach (JsonNode? item in items)
        {
            string? name = item?["name"]?.ToString();
            if (name is not null && double.TryParse(name.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double w) && w > 0)
            {
                presets.Add((name.Trim(), w));
            }
        }

        presets.Sort((a, b) => a.Item2.CompareTo(b.Item2));
        return (presets, null);
    }

    /// <summary>Unlocks, runs <paramref name="work"/> with the token, and turns transport failures into typed results.</summary>
    private async Task<ChannelResult> WithSessionAsync(ChannelTarget target, MinerOperation op, Func<Session, CancellationToken, Task<ChannelResult>> work, CancellationToken cancellationToken)
    {
        if (target.Credential is null)
        {
            return ChannelResult.Failed(op, Name, 0, [], Error(ChannelErrorKind.MissingCredentials, target,
                $"no VNish web password is configured for it (the {Name} channel needs one; nothing was sent)", MissingFix(target)));
        }

        using HttpClient client = Client(target);
        var session = new Session(this, client, target, op);
        try
        {
            if (await session.UnlockAsync(cancellationToken) is { } refused)
            {
                return refused;
            }

            return await work(session, cancellationToken);
        }
        catch (Exception e) when (HttpTransport(e, cancellationToken))
        {
            return ChannelResult.Failed(op, Name, session.Sent, [], Lost(target, session.LastPath, e, "the change is tried again once it answers"));
        }
    }

    /// <summary>A client for one operation on the miner's web API (no proxy, no redirects, the channel's timeout).</summary>
    private HttpClient Client(ChannelTarget target) =>
        new(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false, ConnectTimeout = _timeout }, disposeHandler: true)
        {
            BaseAddress = new UriBuilder(Uri.UriSchemeHttp, target.Endpoint.Host, target.EffectiveWebPort).Uri,
            Timeout = _timeout,
        };

    /// <summary>The typed error for a <see cref="WriteChannel.HttpTransport"/> failure on <paramref name="what"/>; <paramref name="retry"/> says when it is tried again.</summary>
    private ChannelError Lost(ChannelTarget target, string what, Exception e, string retry)
    {
        ChannelErrorKind kind = e is TaskCanceledException or TimeoutException ? ChannelErrorKind.Timeout : ChannelErrorKind.Unreachable;
        string message = kind == ChannelErrorKind.Timeout
            ? $"no answer from VNish's web API at {target.Endpoint.Host}:{target.EffectiveWebPort} on {what} within {_timeout.TotalSeconds:0.#} s"
            : $"cannot reach VNish's web API at {target.Endpoint.Host}:{target.EffectiveWebPort} ({e.GetType().Name})";
        return Error(kind, target, message, "check the miner is powered and its web port (Agent:Miners:N:WebPort, default from the profile) is right; " + retry);
    }

    /// <summary>
    /// The typed error for an HTTP refusal of <paramref name="what"/>; <paramref name="setting"/> is the profile's setting
    /// that named the request, <paramref name="retry"/> says when it is tried again.
    /// </summary>
    private ChannelError Refused(ChannelTarget target, HttpStatusCode status, string what, string setting, string retry) => status switch
    {
        HttpStatusCode.Unauthorized => Error(ChannelErrorKind.AuthenticationFailed, target,
            $"VNish refused the token it had just issued (HTTP 401 to {what})", "check that only one client drives this miner's web API; " + retry),
        HttpStatusCode.NotFound => Error(ChannelErrorKind.NotSupported, target,
            $"VNish's web API has no {what} (HTTP 404)", $"the firmware is older than VNish 1.2 or {setting} in {Path.GetFileName(target.Profile.SourceFile)} is wrong"),
        _ => Error(ChannelErrorKind.CommandError, target,
            string.Create(CultureInfo.InvariantCulture, $"{what} answered HTTP {(int)status}"), "see the miner's web page; " + retry),
    };

    private static string MissingFix(ChannelTarget target) =>
        $"add {{ \"Miner\": \"{target.MinerId}\", \"Password\": \"…\" }} to Agent:MinerCredentials (in the secrets file or FARM_AGENT_Agent__MinerCredentials__N__Password); it is the password of the miner's VNish web page";

    private static string VendorDefaultFix(ChannelTarget target) =>
        $"miner {target.MinerId} still has VNish's factory password: change it on its web page (Settings, Password) and put the new one in Agent:MinerCredentials";

    private ChannelError Error(ChannelErrorKind kind, ChannelTarget target, string message, string fix) => new(kind, target.MinerId, Name, message, fix);

    private static string Short(string text)
    {
        string t = text.ReplaceLineEndings(" ").Trim();
        return t.Length <= 120 ? t : t[..120] + "…";
    }

    /// <summary>One operation's conversation: the token from /unlock, the requests sent, the path in flight.</summary>
    private sealed class Session(VnishRestChannel channel, HttpClient client, ChannelTarget target, MinerOperation op)
    {
        private string? _token;

        public ChannelTarget Target => target;

        public int Sent { get; private set; }

        public string LastPath { get; private set; } = Api + "unlock";

        /// <summary>POST /unlock with the password; null when a token came back, else the refusal.</summary>
        public async Task<ChannelResult?> UnlockAsync(CancellationToken ct)
        {
            LastPath = Api + "unlock";
            Sent++;
            using var body = new StringContent(new JsonObject { ["pw"] = target.Credential!.Password }.ToJsonString(), Encoding.UTF8, new MediaTypeHeaderValue("application/json"));
            using HttpResponseMessage response = await client.PostAsync(new Uri(LastPath, UriKind.Relative), body, ct);
            if (response.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized)
            {
                return ChannelResult.Failed(op, channel.Name, Sent, [], channel.Error(ChannelErrorKind.AuthenticationFailed, target,
                    $"VNish refused the password (HTTP {(int)response.StatusCode} to POST /api/v1/unlock: wrong password)",
                    $"set this miner's VNish web password in Agent:MinerCredentials (entry for \"{target.MinerId}\" or its profile '{target.Profile.Name}'); it is the password of the miner's own web page"));
            }

            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                return ChannelResult.Failed(op, channel.Name, Sent, [], channel.Error(ChannelErrorKind.AuthenticationFailed, target,
                    "VNish locked its login after too many attempts (HTTP 429 to POST /api/v1/unlock)",
                    "wait for the lock to expire, then check the password in Agent:MinerCredentials; the agent tries again after a backoff"));
            }

            if (!response.IsSuccessStatusCode)
            {
                return Refused(response, "POST /api/v1/unlock");
            }

            _token = (await ReadObjectAsync(response, ct))?["token"]?.ToString();
            if (string.IsNullOrEmpty(_token))
            {
                return ChannelResult.Failed(op, channel.Name, Sent, [], channel.Error(ChannelErrorKind.MalformedReply, target,
                    "POST /api/v1/unlock answered without a token", "check that the miner runs VNish (the profile's detection may have picked the wrong one)"));
            }

            return null;
        }

        /// <summary>One authenticated request; a 401 (the token expired) unlocks once more and repeats it.</summary>
        public async Task<(HttpResponseMessage? Response, ChannelResult? Failed)> SendAsync(HttpMethod method, string path, JsonNode? body, CancellationToken ct)
        {
            for (int attempt = 0; ; attempt++)
            {
                LastPath = Api + path;
                Sent++;
                using var request = new HttpRequestMessage(method, new Uri(LastPath, UriKind.Relative));
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _token);
                if (body is not null)
                {
                    request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, new MediaTypeHeaderValue("application/json"));
                }

                HttpResponseMessage response = await client.SendAsync(request, ct);
                if (response.IsSuccessStatusCode)
                {
                    return (response, null);
                }

                using (response)
                {
                    if (response.StatusCode == HttpStatusCode.Unauthorized && attempt == 0)
                    {
                        if (await UnlockAsync(ct) is { } refused)
                        {
                            return (null, refused);
                        }

                        continue;
                    }

                    return (null, Refused(response, $"{method.Method} {LastPath}"));
                }
            }
        }

        private ChannelResult Refused(HttpResponseMessage response, string what) =>
            ChannelResult.Failed(op, channel.Name, Sent, [], channel.Refused(target, response.StatusCode, what, "the route", "the agent tries again after a backoff"));
    }
}
