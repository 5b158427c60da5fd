using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace CloudMining.Farm.Shared.Firmware.Channels;

/// <summary>
/// Bitmain stock firmware's web interface (lighttpd + CGI, HTTP Digest): <c>get_miner_conf.cgi</c> reads the whole
/// configuration, <c>set_miner_conf.cgi</c> replaces it (so a change is: read it, change one field, write it all
/// back), <c>reboot.cgi</c> reboots, <c>blink.cgi</c> blinks the locate LED, and sleep is <c>miner-mode</c> in the
/// configuration. The firmware's form holds a fixed number of pools (three) and no quotas. Digest is done by .NET's
/// own handler with a credential cache entry for "Digest" only, so the password never goes out in Basic form.
/// Nothing read here (the configuration holds every pool password) is ever put in a message.
/// </summary>
public sealed class BitmainWebChannel : WriteChannel
{
    private readonly TimeSpan _timeout;

    public BitmainWebChannel(TimeSpan timeout)
    {
        _timeout = timeout > TimeSpan.Zero ? timeout : TimeSpan.FromSeconds(5);
    }

    public override WriteChannelKind Kind => WriteChannelKind.BitmainWeb;

    public override bool WritesWholePoolList => true;

    public override async Task<ChannelResult> SetPoolsAsync(ChannelTarget target, IReadOnlyList<PoolEntry> pools, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(pools);
        const MinerOperation op = MinerOperation.SetPools;
        OperationRoute route = target.Profile.Route(op) ?? new OperationRoute(op, Kind);
        int max = target.Profile.Web.MaxPools;
        if (RefuseFailoverList(target, pools, max, "the firmware's configuration holds", "the stock firmware's configuration has no pool quotas") is { } refused)
        {
            return refused;
        }

        if (Missing(target, op) is { } missing)
        {
            return missing;
        }

        string field = route.Field ?? "pools";
        return await ChangeConfigurationAsync(target, op, route.Command ?? "set_miner_conf", conf =>
        {
            var list = new JsonArray();
            for (int i = 0; i < max; i++)
            {
                PoolEntry? p = i < pools.Count ? pools[i] : null;
                list.Add(new JsonObject { ["url"] = p?.Url ?? string.Empty, ["user"] = p?.User ?? string.Empty, ["pass"] = p?.Password ?? string.Empty });
            }

            conf[field] = list;
        }, cancellationToken);
    }

    public override async Task<ChannelResult> RunAsync(ChannelTarget target, OperationRoute route, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(route);
        if (Missing(target, route.Operation) is { } missing)
        {
            return missing;
        }

        string command = route.Command ?? throw new ArgumentException($"The {Name} route for {route.Operation} names no CGI command.", nameof(route));
        if (command == "set_miner_conf" && route.Field is { } field)
        {
            // Sleep and wake: one field of the whole configuration, written back with everything else unchanged.
            return await ChangeConfigurationAsync(target, route.Operation, command, conf => conf[field] = Typed(conf[field], route.Value), cancellationToken);
        }

        using HttpClient client = Client(target);
        int sent = 0;
        try
        {
            HttpContent? body = route.Field is { } f ? Json(new JsonObject { [f] = route.Value ?? string.Empty }) : null;
            sent++;
            using HttpResponseMessage response = body is null
                ? await client.GetAsync(Cgi(target, command), cancellationToken)
                : await client.PostAsync(Cgi(target, command), body, cancellationToken);
            if (Refused(target, route.Operation, command, response, sent) is { } refused)
            {
                return refused;
            }

            string text = await response.Content.ReadAsStringAsync(cancellationToken);
            return Answer(target, route.Operation, command, text, sent) ?? ChannelResult.Ok(route.Operation, Name, sent, [$"{command}.cgi accepted"]);
        }
        catch (Exception e) when (HttpTransport(e, cancellationToken))
        {
            return Lost(target, route.Operation, command, e, sent);
        }
    }

    /// <summary>
    /// Reads <c>get_miner_conf.cgi</c> with the Digest login and changes nothing: a readable configuration means the
    /// login is accepted. The configuration read (it holds every pool password) is parsed and dropped, never echoed.
    /// </summary>
    public override async Task<ChannelProbe> ProbeAsync(ChannelTarget target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (Missing(target, MinerOperation.SetPools) is { Error: { } missing })
        {
            return new ChannelProbe(Name, ChannelProbeStatus.MissingCredentials, missing.Message, missing.Fix);
        }

        const string command = "get_miner_conf";
        bool vendorDefault = target.UsesVendorDefaultPassword;
        try
        {
            using HttpClient client = Client(target);
            using HttpResponseMessage read = await client.GetAsync(Cgi(target, command), cancellationToken);
            if (Refused(target, MinerOperation.SetPools, command, read, 1) is { Error: { } refused })
            {
                return ChannelProbe.Failed(Name, refused);
            }

            return await ReadObjectAsync(read, cancellationToken) is not null
                ? new ChannelProbe(Name, ChannelProbeStatus.Ready, $"web login of user '{target.Credential!.User}' accepted (get_miner_conf.cgi read)") { VendorDefaultPassword = vendorDefault }
                : new ChannelProbe(Name, ChannelProbeStatus.Malformed, "get_miner_conf.cgi did not answer a JSON object",
                    "check that the miner runs Bitmain stock firmware (the profile's detection may have picked the wrong one)") { VendorDefaultPassword = vendorDefault };
        }
        catch (Exception e) when (HttpTransport(e, cancellationToken))
        {
            return ChannelProbe.Failed(Name, Lost(target, MinerOperation.SetPools, command, e, 1).Error!);
        }
    }

    /// <summary>
    /// GETs the profile's CGI (<c>get_system_info.cgi</c>) with the Digest login, as the real web page does, and takes
    /// the serial from its fields (<c>serinum</c>, on some builds <c>serial_no</c>). Changes nothing.
    /// </summary>
    public override async Task<SerialRead> ReadSerialAsync(ChannelTarget target, SerialSource source, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(source);
        const MinerOperation op = MinerOperation.SetPools; // only names the results the shared helpers build; nothing is set
        if (Missing(target, op) is { Error: { } missing })
        {
            return SerialRead.Failed(Name, missing);
        }

        string command = source.Command;
        try
        {
            using HttpClient client = Client(target);
            using HttpResponseMessage read = await client.GetAsync(Cgi(target, command), cancellationToken);
            if (Refused(target, op, command, read, 1) is { Error: { } refused })
            {
                return SerialRead.Failed(Name, refused);
            }

            return await ReadObjectAsync(read, cancellationToken) is { } info
                ? SerialFrom(target, source, info)
                : SerialRead.Failed(Name, Error(ChannelErrorKind.MalformedReply, target, $"{command}.cgi did not answer a JSON object",
                    "check that the miner runs Bitmain stock firmware (the profile's detection may have picked the wrong one)"));
        }
        catch (Exception e) when (HttpTransport(e, cancellationToken))
        {
            return SerialRead.Failed(Name, Lost(target, op, command, e, 1).Error!);
        }
    }

    private async Task<ChannelResult> ChangeConfigurationAsync(ChannelTarget target, MinerOperation op, string setCommand, Action<JsonObject> change, CancellationToken cancellationToken)
    {
        using HttpClient client = Client(target);
        int sent = 0;
        string command = "get_miner_conf";
        try
        {
            sent++;
            using HttpResponseMessage read = await client.GetAsync(Cgi(target, command), cancellationToken);
            if (Refused(target, op, command, read, sent) is { } refused)
            {
                return refused;
            }

            JsonObject? conf = await ReadObjectAsync(read, cancellationToken);
            if (conf is null)
            {
                return ChannelResult.Failed(op, Name, sent, [], Error(ChannelErrorKind.MalformedReply, target,
                    "get_miner_conf.cgi did not answer a JSON object", "check that the miner runs Bitmain stock firmware (the profile's detection may have picked the wrong one)"));
            }

            change(conf);
            command = setCommand;
            sent++;
            using HttpResponseMessage write = await client.PostAsync(Cgi(target, command), Json(conf), cancellationToken);
            if (Refused(target, op, command, write, sent) is { } refusedWrite)
            {
                return refusedWrite;
            }

            string text = await write.Content.ReadAsStringAsync(cancellationToken);
            return Answer(target, op, command, text, sent) ?? ChannelResult.Ok(op, Name, sent, [$"{command}.cgi accepted"]);
        }
        catch (Exception e) when (HttpTransport(e, cancellationToken))
        {
            return Lost(target, op, command, e, sent);
        }
    }

    private ChannelResult? Missing(ChannelTarget target, MinerOperation op) => target.Credential is null
        ? ChannelResult.Failed(op, Name, 0, [], Error(ChannelErrorKind.MissingCredentials, target,
            $"no web login is configured for it (the {Name} channel needs one; nothing was sent)",
            $"add {{ \"Miner\": \"{target.MinerId}\", \"User\": \"{target.Profile.Web.DefaultUser}\", \"Password\": \"…\" }} to Agent:MinerCredentials (in the secrets file or FARM_AGENT_Agent__MinerCredentials__N__Password)"))
        : null;

    /// <summary>HTTP-level refusals: 401 after the Digest answer (wrong login), 403, 404 (no such CGI), other errors.</summary>
    private ChannelResult? Refused(ChannelTarget target, MinerOperation op, string command, HttpResponseMessage response, int sent)
    {
        if (response.IsSuccessStatusCode)
        {
            return null;
        }

        int status = (int)response.StatusCode;
        ChannelError error = response.StatusCode switch
        {
            HttpStatusCode.Unauthorized => Error(ChannelErrorKind.AuthenticationFailed, target,
                $"the web interface refused the login of user '{target.Credential!.User}' (HTTP 401 to the Digest answer on {command}.cgi)",
                $"set this miner's web password in Agent:MinerCredentials (entry for \"{target.MinerId}\" or its profile '{target.Profile.Name}'); it is the password of the miner's own web page"),
            HttpStatusCode.Forbidden => Error(ChannelErrorKind.AccessDenied, target,
                $"the web interface forbids {command}.cgi (HTTP 403)", "check the miner's web access settings"),
            HttpStatusCode.NotFound => Error(ChannelErrorKind.NotSupported, target,
                $"the web interface has no /cgi-bin/{command}.cgi (HTTP 404)", $"the firmware is not stock Bitmain or the route in {Path.GetFileName(target.Profile.SourceFile)} is wrong"),
            _ => Error(ChannelErrorKind.CommandError, target,
                string.Create(CultureInfo.InvariantCulture, $"{command}.cgi answered HTTP {status}"), "the agent tries again after a backoff"),
        };
        return ChannelResult.Failed(op, Name, sent, [], error);
    }

    /// <summary>Stock CGI answers {"stats":"success"|"error","code":"…","msg":"…"}; a body that is not such JSON counts as accepted.</summary>
    private ChannelResult? Answer(ChannelTarget target, MinerOperation op, string command, string text, int sent)
    {
        try
        {
            if (JsonNode.Parse(text) is JsonObject o && o["stats"]?.GetValueKind() == JsonValueKind.String &&
                string.Equals(o["stats"]!.GetValue<string>(), "error", StringComparison.OrdinalIgnoreCase))
            {
                string msg = o["msg"]?.ToString() ?? string.Empty;
                return ChannelResult.Failed(op, Name, sent, [], Error(ChannelErrorKind.CommandError, target, $"{command}.cgi refused: {Short(msg)}", "see the miner's message; the agent tries again after a backoff"));
            }
        }
        catch (JsonException)
        {
            // Not JSON (older firmware answers plain text): HTTP 200 is the answer.
        }

        return null;
    }

    private ChannelResult Lost(ChannelTarget target, MinerOperation op, string command, Exception e, int sent)
    {
        ChannelErrorKind kind = e is TaskCanceledException or TimeoutException ? ChannelErrorKind.Timeout : ChannelErrorKind.Unreachable;
        string what = kind == ChannelErrorKind.Timeout
            ? $"no answer from the web interface at {target.Endpoint.Host}:{target.EffectiveWebPort} on {command}.cgi within {_timeout.TotalSeconds:0.#} s"
            : $"cannot reach the web interface at {target.Endpoint.Host}:{target.EffectiveWebPort} ({e.GetType().Name})";
        return ChannelResult.Failed(op, Name, sent, [], Error(kind, target, what,
            "check the miner is powered and its web port (Agent:Miners:N:WebPort, default from the profile) is right; the change is tried again once it answers"));
    }

    private ChannelError Error(ChannelErrorKind kind, ChannelTarget target, string message, string fix) => new(kind, target.MinerId, Name, message, fix);

    private HttpClient Client(ChannelTarget target)
    {
        var root = new UriBuilder(Uri.UriSchemeHttp, target.Endpoint.Host, target.EffectiveWebPort).Uri;
        MinerCredential login = target.Credential!;
        var handler = new SocketsHttpHandler
        {
            // Digest only: a CredentialCache entry for one scheme keeps .NET from ever falling back to Basic.
            Credentials = new CredentialCache { { root, "Digest", new NetworkCredential(login.User, login.Password) } },
            PreAuthenticate = false,
            UseProxy = false,
            AllowAutoRedirect = false,
            ConnectTimeout = _timeout,
        };
        return new HttpClient(handler, disposeHandler: true) { BaseAddress = root, Timeout = _timeout };
    }

    private static Uri Cgi(ChannelTarget target, string command) => new("/cgi-bin/" + command + ".cgi", UriKind.Relative);

    private static StringContent Json(JsonNode body) => new(body.ToJsonString(), Encoding.UTF8, new MediaTypeHeaderValue("application/json"));

    /// <summary>Keeps the type the firmware uses for a field ("miner-mode": 1 or "1").</summary>
    private static JsonValue Typed(JsonNode? existing, string? value)
    {
        value ??= string.Empty;
        if (existing is JsonValue v && v.GetValueKind() == JsonValueKind.Number && long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out long n))
        {
            return JsonValue.Create(n);
        }

        return JsonValue.Create(value);
    }

    private static string Short(string text)
    {
        string t = text.ReplaceLineEndings(" ").Trim();
        return t.Length <= 120 ? t : t[..120] + "…";
    }
}
