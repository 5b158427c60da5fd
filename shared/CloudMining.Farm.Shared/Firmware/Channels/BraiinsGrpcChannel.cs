using System.Collections.Concurrent;
using System.Globalization;
using CloudMining.Farm.Shared.Firmware.Channels.Braiins.Wire;
using CloudMining.Farm.Shared.Units;
using Grpc.Core;
using Grpc.Net.Client;
using WirePower = CloudMining.Farm.Shared.Firmware.Channels.Braiins.Wire.Power;

namespace CloudMining.Farm.Shared.Firmware.Channels;

/// <summary>
/// Braiins OS+ public gRPC API (braiins' bos-plus-api; our own minimal description in Braiins/braiins_os.proto): plain
/// HTTP/2 on port 50051 (the profile's <c>web.port</c>, or the miner's Agent:Miners:N:WebPort). A session token from
/// AuthenticationService/Login goes in the <c>authorization</c> header of every later call; the token is kept per
/// miner until the miner refuses it (UNAUTHENTICATED), then the channel logs in once more and repeats the call once.
/// Pools are pool groups, replaced all at once (SetPoolGroups): without quotas one group holds every pool in priority
/// order (failover inside the group); with quotas each pool is a group of its own balanced by its quota. Pause and
/// resume, restart, reboot and the locate LED are ActionsService calls; the power target is PerformanceService's,
/// read back through GetTunerState. Nothing here logs, and no message carries a password or a token.
/// </summary>
public sealed class BraiinsGrpcChannel : WriteChannel
{
    /// <summary>Where BOS+ serves the API unless the profile or the miner says otherwise.</summary>
    public const int DefaultPort = 50051;

    private const string AuthorizationHeader = "authorization";

    /// <summary>One connection pool for the process (h2c connections to each miner are reused); each call's deadline bounds connecting too.</summary>
    private static readonly SocketsHttpHandler SharedHandler = new()
    {
        ConnectTimeout = TimeSpan.FromSeconds(30),
        UseProxy = false,
        AllowAutoRedirect = false,
        PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
    };

    private readonly TimeSpan _timeout;
    private readonly ConcurrentDictionary<string, GrpcChannel> _channels = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _tokens = new(StringComparer.Ordinal);

    public BraiinsGrpcChannel(TimeSpan timeout)
    {
        _timeout = timeout > TimeSpan.Zero ? timeout : TimeSpan.FromSeconds(5);
    }

    public override WriteChannelKind Kind => WriteChannelKind.BraiinsGrpc;

    public override bool WritesWholePoolList => true;

    /// <summary>BOS+ balances between pool groups by quota or fixed share ratio; each quota becomes a group.</summary>
    /// <summary>Splits go through pool groups (Braiins OS+ pool groups, one per pool, quota = the pool's share), not cgminer's pool quotas.</summary>
    public override string QuotaStyle(FirmwareProfile profile) => SupportsQuota(profile) ? Wire.PoolQuotaStyles.GroupRatio : Wire.PoolQuotaStyles.None;

    public override bool SupportsQuota(FirmwareProfile profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        return true;
    }

    public override Task<ChannelResult> SetPoolsAsync(ChannelTarget target, IReadOnlyList<PoolEntry> pools, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(pools);
        const MinerOperation op = MinerOperation.SetPools;
        if (pools.Count == 0)
        {
            return Task.FromResult(ChannelResult.NotSupported(op, Name, target, "no pool was asked; BOS+ needs at least one pool group with one pool", "send this miner at least one pool"));
        }

        int withQuota = pools.Count(p => p.Quota is not null);
        if (withQuota != 0 && withQuota != pools.Count)
        {
            PoolEntry without = pools.First(p => p.Quota is null);
            return Task.FromResult(ChannelResult.NotSupported(op, Name, target,
                $"{withQuota} of {pools.Count} pools have a quota but {without.Url} ({without.User}) has none; BOS+ balances pool groups, so every pool of a split needs a quota",
                "give every pool of this miner a quota, or none"));
        }

        if (pools.FirstOrDefault(p => p.Quota is < 1) is { } zero)
        {
            return Task.FromResult(ChannelResult.NotSupported(op, Name, target, $"the quota of {zero.Url} ({zero.User}) is {zero.Quota}; BOS+ quotas start at 1", "give every quota at least 1"));
        }

        var request = new SetPoolGroupsRequest { SaveAction = SaveAction.SaveAndApply };
        request.PoolGroups.AddRange(Groups(pools));
        string[] secrets = [.. pools.Select(p => p.Password)];
        string shape = withQuota == 0
            ? $"1 pool group of {pools.Count} pool(s)"
            : $"{pools.Count} pool groups with quotas {string.Join(":", pools.Select(p => p.Quota!.Value.ToString(CultureInfo.InvariantCulture)))}";
        return CallAsync(target, op, "PoolService/SetPoolGroups", secrets,
            (invoker, headers, deadline, ct) => new PoolService.PoolServiceClient(invoker).SetPoolGroupsAsync(request, headers, deadline, ct).ResponseAsync,
            _ => $"SetPoolGroups accepted: {shape}", cancellationToken);
    }

    public override Task<ChannelResult> RunAsync(ChannelTarget target, OperationRoute route, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(route);
        return route.Operation switch
        {
            MinerOperation.Pause => CallAsync(target, route.Operation, "ActionsService/PauseMining", [],
                (i, h, d, ct) => new ActionsService.ActionsServiceClient(i).PauseMiningAsync(new PauseMiningRequest(), h, d, ct).ResponseAsync,
                r => r.AlreadyPaused ? "PauseMining accepted (it was already paused)" : "PauseMining accepted", cancellationToken),
            MinerOperation.Resume => CallAsync(target, route.Operation, "ActionsService/ResumeMining", [],
                (i, h, d, ct) => new ActionsService.ActionsServiceClient(i).ResumeMiningAsync(new ResumeMiningRequest(), h, d, ct).ResponseAsync,
                r => r.AlreadyMining ? "ResumeMining accepted (it was already mining)" : "ResumeMining accepted", cancellationToken),
            MinerOperation.RestartMining => CallAsync(target, route.Operation, "ActionsService/Restart", [],
                (i, h, d, ct) => new ActionsService.ActionsServiceClient(i).RestartAsync(new RestartRequest(), h, d, ct).ResponseAsync,
                _ => "Restart accepted", cancellationToken),
            MinerOperation.Reboot => CallAsync(target, route.Operation, "ActionsService/Reboot", [],
                (i, h, d, ct) => new ActionsService.ActionsServiceClient(i).RebootAsync(new RebootRequest(), h, d, ct).ResponseAsync,
                _ => "Reboot accepted", cancellationToken),
            MinerOperation.LocateOn or MinerOperation.LocateOff => LocateAsync(target, route.Operation, cancellationToken),
            _ => Task.FromResult(ChannelResult.NotSupported(route.Operation, Name, target, $"the {Name} channel has no {WriteChannelNames.Of(route.Operation)} without a value",
                $"leave {WriteChannelNames.Of(route.Operation)} out of operations: in {Path.GetFileName(target.Profile.SourceFile)}")),
        };
    }

    public override async Task<ChannelResult> SetPowerTargetAsync(ChannelTarget target, OperationRoute route, Units.Power power, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        const MinerOperation op = MinerOperation.SetPowerTarget;
        if (!double.IsFinite(power.Watts) || power.Watts < 1 || power.Watts > 1_000_000)
        {
            return ChannelResult.NotSupported(op, Name, target, $"{power} is not a power target", "give a whole number of watts within the miner's range (farm-agent check shows it)");
        }

        ulong watts = (ulong)Math.Round(power.Watts);
        var request = new SetPowerTargetRequest { SaveAction = SaveAction.SaveAndApply, PowerTarget = new WirePower { Watt = watts } };
        ChannelResult set = await CallAsync(target, op, "PerformanceService/SetPowerTarget", [],
            (i, h, d, ct) => new PerformanceService.PerformanceServiceClient(i).SetPowerTargetAsync(request, h, d, ct).ResponseAsync,
            r => string.Create(CultureInfo.InvariantCulture, $"SetPowerTarget accepted: {r.PowerTarget?.Watt ?? watts} W"), cancellationToken);
        if (!set.Succeeded)
        {
            return set;
        }

        // Read back: the tuner's current power target must be the one asked.
        ulong? current = null;
        ChannelResult read = await CallAsync(target, op, "PerformanceService/GetTunerState", [],
            (i, h, d, ct) => new PerformanceService.PerformanceServiceClient(i).GetTunerStateAsync(new GetTunerStateRequest(), h, d, ct).ResponseAsync,
            r =>
            {
                current = r.PowerTargetModeState?.CurrentTarget?.Watt;
                return string.Create(CultureInfo.InvariantCulture, $"tuner power target {current?.ToString(CultureInfo.InvariantCulture) ?? "not reported"} W");
            }, cancellationToken);
        int sent = set.RequestsSent + read.RequestsSent;
        if (!read.Succeeded)
        {
            return read with { RequestsSent = sent };
        }

        if (current != watts)
        {
            return ChannelResult.Failed(op, Name, sent, [.. set.Messages, .. read.Messages], Error(ChannelErrorKind.CommandError, target,
                string.Create(CultureInfo.InvariantCulture, $"SetPowerTarget {watts} W was accepted but the tuner reports {current?.ToString(CultureInfo.InvariantCulture) ?? "no power target"} W"),
                "the miner may be in hashrate-target mode or clamp the value; check its tuner settings (farm-agent check shows the range)"));
        }

        return ChannelResult.Ok(op, Name, sent, [.. set.Messages, .. read.Messages]);
    }

    public override async Task<ChannelProbe> ProbeAsync(ChannelTarget target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (target.Credential is null)
        {
            ChannelError missing = MissingError(target);
            return new ChannelProbe(Name, ChannelProbeStatus.MissingCredentials, missing.Message, missing.Fix);
        }

        // Read-only: log in afresh (the probe is about the configured login, not a cached session), then read the constraints.
        _tokens.TryRemove(TokenKey(target), out _);
        (double, double)? range = null;
        ChannelResult result = await CallAsync(target, MinerOperation.SetPowerTarget, "ConfigurationService/GetConstraints", [],
            (i, h, d, ct) => new ConfigurationService.ConfigurationServiceClient(i).GetConstraintsAsync(new GetConstraintsRequest(), h, d, ct).ResponseAsync,
            r =>
            {
                if (r.TunerConstraints?.PowerTarget is { Min: { } min, Max: { } max } && max.Watt >= min.Watt && max.Watt > 0)
                {
                    range = (min.Watt, max.Watt);
                }

                return "GetConstraints answered";
            }, cancellationToken);
        if (result.Succeeded)
        {
            return new ChannelProbe(Name, ChannelProbeStatus.Ready, range is { } r
                ? string.Create(CultureInfo.InvariantCulture, $"the gRPC API accepts the login; power target {r.Item1:0}–{r.Item2:0} W")
                : "the gRPC API accepts the login")
            {
                VendorDefaultPassword = target.UsesVendorDefaultPassword,
                PowerTargetRange = range,
            };
        }

        ChannelError error = result.Error!;
        return ChannelProbe.Failed(Name, error);
    }

    /// <summary>The one gRPC method a profile's serial source may name here.</summary>
    public const string MinerDetailsMethod = "MinerService/GetMinerDetails";

    /// <summary>
    /// Why a serial source cannot be read through this channel (a method other than GetMinerDetails, a field its
    /// response does not declare), or null when it can. The profile compiler refuses such a profile at load.
    /// </summary>
    public static string? SerialProblem(string command, IReadOnlyList<string> fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        if (!string.Equals(command, MinerDetailsMethod, StringComparison.Ordinal))
        {
            return $"the {WriteChannelNames.BraiinsGrpc} channel reads a serial only from {MinerDetailsMethod}, not '{command}'.";
        }

        string[] unknown = [.. fields.Where(f => GetMinerDetailsResponse.Descriptor.FindFieldByName(f) is not { FieldType: Google.Protobuf.Reflection.FieldType.String })];
        return unknown.Length == 0 ? null
            : $"GetMinerDetailsResponse has no text field {string.Join(", ", unknown)}; declared: {string.Join(", ", GetMinerDetailsResponse.Descriptor.Fields.InDeclarationOrder().Where(f => f.FieldType == Google.Protobuf.Reflection.FieldType.String).Select(f => f.Name))}.";
    }

    /// <summary>
    /// Calls MinerService/GetMinerDetails with the session (it wants the token like every method but Login) and takes
    /// the serial from the response fields the profile names (<c>serial_number</c>, BOS 24.x and later). Changes nothing.
    /// </summary>
    public override async Task<SerialRead> ReadSerialAsync(ChannelTarget target, SerialSource source, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(source);
        if (SerialProblem(source.Command, source.Fields) is { } problem)
        {
            return SerialRead.Failed(Name, Error(ChannelErrorKind.NotSupported, target, problem, $"fix identity.serialSource in {Path.GetFileName(target.Profile.SourceFile)}"));
        }

        // CallAsync maps the login, the session, RPC errors and a passed deadline (also one surfacing as a cancellation).
        GetMinerDetailsResponse? details = null;
        ChannelResult result = await CallAsync(target, MinerOperation.SetPools, MinerDetailsMethod, [],
            (i, h, d, ct) => new MinerService.MinerServiceClient(i).GetMinerDetailsAsync(new GetMinerDetailsRequest(), h, d, ct).ResponseAsync,
            r =>
            {
                details = r;
                return "GetMinerDetails answered";
            }, cancellationToken);
        if (!result.Succeeded || details is null)
        {
            return SerialRead.Failed(Name, result.Error ?? Error(ChannelErrorKind.MalformedReply, target, "GetMinerDetails answered nothing", "check the miner's Braiins OS version"));
        }

        return SerialFrom(target, source, f => GetMinerDetailsResponse.Descriptor.FindFieldByName(f) is { } field
            && (!field.HasPresence || field.Accessor.HasValue(details)) ? field.Accessor.GetValue(details) as string : null);
    }

    /// <summary>Without quotas: one group, the pools in priority order. With quotas: one group per pool with its quota, in priority order.</summary>
    private static IEnumerable<PoolGroupConfiguration> Groups(IReadOnlyList<PoolEntry> pools)
    {
        if (pools.All(p => p.Quota is null))
        {
            var group = new PoolGroupConfiguration { Name = "farm", Quota = new Quota { Value = 1 } };
            group.Pools.AddRange(pools.Select(Pool));
            yield return group;
            yield break;
        }

        for (int i = 0; i < pools.Count; i++)
        {
            var group = new PoolGroupConfiguration { Name = string.Create(CultureInfo.InvariantCulture, $"farm-{i + 1}"), Quota = new Quota { Value = (uint)pools[i].Quota!.Value } };
            group.Pools.Add(Pool(pools[i]));
            yield return group;
        }
    }

    private static PoolConfiguration Pool(PoolEntry p) => new() { Url = p.Url, User = p.User, Password = p.Password, Enabled = true };

    private Task<ChannelResult> LocateAsync(ChannelTarget target, MinerOperation op, CancellationToken cancellationToken)
    {
        bool on = op == MinerOperation.LocateOn;
        return CallAsync(target, op, "ActionsService/SetLocateDeviceStatus", [],
            (i, h, d, ct) => new ActionsService.ActionsServiceClient(i).SetLocateDeviceStatusAsync(new SetLocateDeviceStatusRequest { Enable = on }, h, d, ct).ResponseAsync,
            r => r.Enabled == on ? $"locate LED {(on ? "on" : "off")}" : $"SetLocateDeviceStatus answered LED {(r.Enabled ? "on" : "off")}", cancellationToken);
    }

    /// <summary>
    /// One API call with the session: log in when no token is cached, call, and on UNAUTHENTICATED (the token expired
    /// or the miner restarted) log in once more and call once more.
    /// </summary>
    private async Task<ChannelResult> CallAsync<T>(ChannelTarget target, MinerOperation op, string method, IReadOnlyList<string> secrets,
        Func<CallInvoker, Metadata, DateTime, CancellationToken, Task<T>> call, Func<T, string> accepted, CancellationToken cancellationToken)
    {
        if (target.Credential is null)
        {
            return ChannelResult.Failed(op, Name, 0, [], MissingError(target));
        }

        GrpcChannel channel = ChannelFor(target);
        CallInvoker invoker = channel.CreateCallInvoker();
        string key = TokenKey(target);
        int sent = 0;
        string step = "AuthenticationService/Login";
        DateTime deadline = default;
        try
        {
            bool fresh = false;
            if (!_tokens.TryGetValue(key, out string? token))
            {
                sent++;
                deadline = Deadline();
                token = await LoginAsync(invoker, target.Credential, deadline, cancellationToken);
                _tokens[key] = token;
                fresh = true;
            }

            step = method;
            try
            {
                sent++;
                deadline = Deadline();
                T reply = await call(invoker, Session(token), deadline, cancellationToken);
                return ChannelResult.Ok(op, Name, sent, [accepted(reply)]);
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Unauthenticated && !fresh)
            {
                // The cached session is gone (expired after an hour idle, or the miner restarted): log in once more.
                _tokens.TryRemove(key, out _);
                step = "AuthenticationService/Login";
                sent++;
                deadline = Deadline();
                token = await LoginAsync(invoker, target.Credential, deadline, cancellationToken);
                _tokens[key] = token;
                step = method;
                sent++;
                deadline = Deadline();
                T reply = await call(invoker, Session(token), deadline, cancellationToken);
                return ChannelResult.Ok(op, Name, sent, [accepted(reply)]);
            }
        }
        catch (RpcException e)
        {
            if (e.StatusCode == StatusCode.Unauthenticated)
            {
                _tokens.TryRemove(key, out _);
            }

            // The deadline racing the HTTP/2 stream can also surface as INTERNAL "Error starting gRPC call.
            // ObjectDisposedException" (grpc-dotnet issue 1547) or CANCELLED: past the deadline, either is the miner's
            // timeout, not a malformed reply (which marked a busy miner's pools unsettable until the next probe).
            if (e.StatusCode is StatusCode.Internal or StatusCode.Cancelled && deadline != default && DateTime.UtcNow >= deadline)
            {
                return ChannelResult.Failed(op, Name, sent, [], TimedOut(target, step));
            }

            return ChannelResult.Failed(op, Name, sent, [], Map(target, step, e, secrets));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The caller did not cancel, so the call's own deadline did: with ThrowOperationCanceledOnCancellation,
            // Grpc.Net.Client reports an exceeded deadline as a TaskCanceledException when its timer cancels the HTTP/2
            // request while the response headers are awaited (seen under load). It is the miner's timeout, a failed
            // result like DEADLINE_EXCEEDED: thrown, it reached the pool reconciler as if the agent were stopping and
            // ended the agent.
            return ChannelResult.Failed(op, Name, sent, [], TimedOut(target, step));
        }
    }

    private static async Task<string> LoginAsync(CallInvoker invoker, MinerCredential login, DateTime deadline, CancellationToken cancellationToken)
    {
        var client = new AuthenticationService.AuthenticationServiceClient(invoker);
        using AsyncUnaryCall<LoginResponse> call = client.LoginAsync(new LoginRequest { Username = login.User, Password = login.Password }, null, deadline, cancellationToken);
        LoginResponse response = await call.ResponseAsync;
        if (!string.IsNullOrEmpty(response.Token))
        {
            return response.Token;
        }

        // Older firmware puts the token in the response header only.
        Metadata headers = await call.ResponseHeadersAsync;
        return headers.GetValue(AuthorizationHeader) is { Length: > 0 } header
            ? header
            : throw new RpcException(new Status(StatusCode.Internal, "Login answered without a token"));
    }

    private ChannelError Map(ChannelTarget target, string step, RpcException e, IReadOnlyList<string> secrets)
    {
        string where = $"{target.Endpoint.Host}:{target.EffectiveWebPort}";
        string detail = Short(Scrub(e.Status.Detail, target, secrets));
        bool login = step == "AuthenticationService/Login";
        return e.StatusCode switch
        {
            StatusCode.Unauthenticated when login => Error(ChannelErrorKind.AuthenticationFailed, target,
                $"the gRPC API at {where} refused the login of user '{target.Credential!.User}' (UNAUTHENTICATED: {detail})",
                $"set this miner's Braiins OS password in Agent:MinerCredentials (entry for \"{target.MinerId}\" or its profile '{target.Profile.Name}'); it is the password of the miner's own web page (BOS+ ships root with an empty password)"),
            StatusCode.Unauthenticated => Error(ChannelErrorKind.AuthenticationFailed, target,
                $"the gRPC API at {where} refused a fresh session token on {step} (UNAUTHENTICATED: {detail})",
                "the miner may be restarting or its password changed; check Agent:MinerCredentials for it, the agent tries again after a backoff"),
            StatusCode.PermissionDenied => Error(ChannelErrorKind.AccessDenied, target,
                $"the gRPC API at {where} forbids {step} (PERMISSION_DENIED: {detail})", "log in as a user allowed to change the miner (root)"),
            StatusCode.Unavailable => Error(ChannelErrorKind.Unreachable, target,
                $"cannot reach the gRPC API at {where} ({detail})",
                $"check the miner is powered and runs Braiins OS+ 23.03 or later with its API on port {target.EffectiveWebPort} (Agent:Miners:N:WebPort overrides the profile's {target.Profile.Web.Port}); the change is tried again once it answers"),
            StatusCode.DeadlineExceeded => TimedOut(target, step),
            StatusCode.Unimplemented => Error(ChannelErrorKind.NotSupported, target,
                $"the gRPC API at {where} has no {step} (UNIMPLEMENTED)", "upgrade the miner to a Braiins OS+ release whose public API has it (see docs/firmware-profiles.md)"),
            StatusCode.InvalidArgument or StatusCode.FailedPrecondition or StatusCode.OutOfRange or StatusCode.AlreadyExists or StatusCode.NotFound or StatusCode.ResourceExhausted or StatusCode.Aborted => Error(ChannelErrorKind.CommandError, target,
                $"{step} refused: {e.StatusCode} {detail}", "see the miner's message; the agent tries again after a backoff"),
            _ => Error(ChannelErrorKind.MalformedReply, target,
                $"{step} failed at {where}: {e.StatusCode} {detail}",
                $"check that port {target.EffectiveWebPort} of the miner is Braiins OS+'s gRPC API (plain HTTP/2, 50051 by default)"),
        };
    }

    private ChannelError TimedOut(ChannelTarget target, string step) => Error(ChannelErrorKind.Timeout, target,
        string.Create(CultureInfo.InvariantCulture, $"no answer from the gRPC API at {target.Endpoint.Host}:{target.EffectiveWebPort} to {step} within {_timeout.TotalSeconds:0.#} s"),
        "the miner may be busy or booting; the change is tried again once it answers");

    private ChannelError MissingError(ChannelTarget target) => Error(ChannelErrorKind.MissingCredentials, target,
        $"no login is configured for it (the {Name} channel needs one; nothing was sent)",
        $"add {{ \"Miner\": \"{target.MinerId}\", \"Profile\": \"{target.Profile.Name}\", \"Password\": \"…\" }} to Agent:MinerCredentials (in the secrets file or FARM_AGENT_Agent__MinerCredentials__N__Password); \"\" is the Braiins OS+ factory password");

    private ChannelError Error(ChannelErrorKind kind, ChannelTarget target, string message, string fix) => new(kind, target.MinerId, Name, message, fix);

    private GrpcChannel ChannelFor(ChannelTarget target)
    {
        var address = new UriBuilder(Uri.UriSchemeHttp, target.Endpoint.Host, target.EffectiveWebPort).Uri;
        return _channels.GetOrAdd(address.AbsoluteUri, _ => GrpcChannel.ForAddress(address, new GrpcChannelOptions
        {
            HttpHandler = SharedHandler,
            DisposeHttpClient = false,
            ThrowOperationCanceledOnCancellation = true,
            MaxReceiveMessageSize = 4 * 1024 * 1024,
        }));
    }

    private static string TokenKey(ChannelTarget target) =>
        string.Create(CultureInfo.InvariantCulture, $"{target.MinerId}|{target.Endpoint.Host}:{target.EffectiveWebPort}|{target.Credential?.User}");

    private static Metadata Session(string token) => new() { { AuthorizationHeader, token } };

    private DateTime Deadline() => DateTime.UtcNow + _timeout;

    /// <summary>A miner's message may echo what it was sent: the login password and pool passwords are masked.</summary>
    private static string Scrub(string? text, ChannelTarget target, IReadOnlyList<string> secrets)
    {
        string t = text ?? string.Empty;
        foreach (string secret in secrets.Append(target.Credential?.Password ?? string.Empty))
        {
            if (secret.Length >= 3)
            {
                t = t.Replace(secret, "***", StringComparison.Ordinal);
            }
        }

        return t;
    }

    private static string Short(string text)
    {
        string t = text.ReplaceLineEndings(" ").Trim();
        return t.Length <= 160 ? t : t[..160] + "…";
    }
}
