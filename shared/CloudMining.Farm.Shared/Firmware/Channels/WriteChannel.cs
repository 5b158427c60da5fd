using System.Text.Json;
using System.Text.Json.Nodes;
using CloudMining.Farm.Shared.Units;

namespace CloudMining.Farm.Shared.Firmware.Channels;

/// <summary>
/// One mechanism for changing miners (the dotnet/iot driver shape): cgminer RPC, Bitmain's web CGI, and later
/// Whatsminer's encrypted API or Braiins' gRPC. A channel is stateless towards miners: everything it needs about one
/// miner comes in a <see cref="ChannelTarget"/>. Miner faults come back as a <see cref="ChannelResult"/> with a typed
/// <see cref="ChannelError"/>, never as exceptions; only the caller's cancellation throws. Channels log nothing, so
/// they cannot leak a password into a log.
/// </summary>
public abstract class WriteChannel
{
    public abstract WriteChannelKind Kind { get; }

    public string Name => WriteChannelNames.Of(Kind);

    /// <summary>
    /// True when the channel writes the whole pool list at once (<see cref="SetPoolsAsync"/>); false when pools change
    /// command by command from a plan (<see cref="RunPoolStepAsync"/>, cgminer's addpool/switchpool/…).
    /// </summary>
    public abstract bool WritesWholePoolList { get; }

    /// <summary>Whether pool quotas can be set through this channel for a miner of <paramref name="profile"/>.</summary>
    public virtual bool SupportsQuota(FirmwareProfile profile) => false;

    /// <summary>
    /// How a quota split looks through this channel (one of <see cref="Wire.PoolQuotaStyles"/>): cgminer's integer
    /// quotas by default where <see cref="SupportsQuota"/>; a channel with pool groups and share ratios overrides it.
    /// </summary>
    public virtual string QuotaStyle(FirmwareProfile profile) => SupportsQuota(profile) ? Wire.PoolQuotaStyles.CgminerQuota : Wire.PoolQuotaStyles.None;

    /// <summary>Replaces the miner's pools with <paramref name="pools"/> (priority order); only whole-list channels do this.</summary>
    public virtual Task<ChannelResult> SetPoolsAsync(ChannelTarget target, IReadOnlyList<PoolEntry> pools, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        return Task.FromResult(ChannelResult.NotSupported(MinerOperation.SetPools, Name, target, $"the {Name} channel changes pools command by command, not as a whole list", "plan the change with the pool planner"));
    }

    /// <summary>
    /// The refusal, before anything is sent, of a pool list a failover-only firmware cannot hold: empty, more pools
    /// than <paramref name="max"/>, or a quota on any pool. <paramref name="holder"/> names what holds the list
    /// ("update_pools holds", "VNish's settings hold"); <paramref name="noQuota"/> says why there are no quotas.
    /// Null when the list fits.
    /// </summary>
    protected ChannelResult? RefuseFailoverList(ChannelTarget target, IReadOnlyList<PoolEntry> pools, int max, string holder, string noQuota)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(pools);
        if (pools.Count == 0 || pools.Count > max)
        {
            return ChannelResult.NotSupported(MinerOperation.SetPools, Name, target, $"{pools.Count} pools asked but {holder} 1 to {max}", $"send this miner at most {max} pools");
        }

        return pools.FirstOrDefault(p => p.Quota is not null) is { } withQuota
            ? ChannelResult.NotSupported(MinerOperation.SetPools, Name, target, $"a quota is asked for {withQuota.Url} ({withQuota.User}) but {noQuota}", "allocate this miner whole (no quota)")
            : null;
    }

    /// <summary>Runs one step of a planned pool change (a profile action with its placeholder values); only command-by-command channels do this.</summary>
    public virtual Task<ChannelResult> RunPoolStepAsync(ChannelTarget target, ProfileAction action, IReadOnlyDictionary<string, string> values, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        return Task.FromResult(ChannelResult.NotSupported(MinerOperation.SetPools, Name, target, $"the {Name} channel writes the whole pool list, not single pool commands", "use SetPoolsAsync"));
    }

    /// <summary>Runs a parameterless operation (restart, reboot, pause, resume, locate on/off) as <paramref name="route"/> describes it.</summary>
    public abstract Task<ChannelResult> RunAsync(ChannelTarget target, OperationRoute route, CancellationToken cancellationToken);

    /// <summary>Sets a power target; not every channel has one.</summary>
    public virtual Task<ChannelResult> SetPowerTargetAsync(ChannelTarget target, OperationRoute route, Power power, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        return Task.FromResult(ChannelResult.NotSupported(MinerOperation.SetPowerTarget, Name, target, $"the {Name} channel has no power target yet", "leave setPowerTarget out of the profile's operations"));
    }

    /// <summary>
    /// Finds out, changing nothing, whether this channel works for the miner with its configured login (obtains a
    /// token, has a Digest login accepted, calls a read-only gRPC method). Channels without a login return
    /// <see cref="ChannelProbe.NotProbed"/>.
    /// </summary>
    public virtual Task<ChannelProbe> ProbeAsync(ChannelTarget target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        return Task.FromResult(ChannelProbe.NotProbed(Name));
    }

    /// <summary>
    /// Reads the unit's serial as <paramref name="source"/> says (read-only, changes nothing) for a firmware that gives
    /// none on its cgminer API. Failures come back as a typed error, never as exceptions (only cancellation throws).
    /// </summary>
    public virtual Task<SerialRead> ReadSerialAsync(ChannelTarget target, SerialSource source, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        return Task.FromResult(SerialRead.Failed(Name, new ChannelError(ChannelErrorKind.NotSupported, target.MinerId, Name,
            $"the {Name} channel cannot read a serial", $"name one of {string.Join(", ", SerialSource.Readers.Select(WriteChannelNames.Of))} in identity.serialSource of {Path.GetFileName(target.Profile.SourceFile)}")));
    }

    /// <summary>The first of <paramref name="source"/>'s fields whose value is a serial (<see cref="Wire.MinerSerial.Normalize"/>), or the error saying the reply held none.</summary>
    protected SerialRead SerialFrom(ChannelTarget target, SerialSource source, Func<string, string?> field)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(field);
        foreach (string name in source.Fields)
        {
            if (Wire.MinerSerial.Normalize(field(name)) is { } serial)
            {
                return SerialRead.Read(Name, serial);
            }
        }

        return SerialRead.Failed(Name, new ChannelError(ChannelErrorKind.MalformedReply, target.MinerId, Name,
            $"{source.Command} answered without a serial in {string.Join(" or ", source.Fields)}",
            "the firmware may not report one (it stays unknown); check the miner's own web page, and identity.serialSource in " + Path.GetFileName(target.Profile.SourceFile)));
    }

    /// <summary>The serial from the first of <paramref name="source"/>'s fields that holds a text one in a JSON reply (web CGI, REST).</summary>
    protected SerialRead SerialFrom(ChannelTarget target, SerialSource source, JsonObject reply)
    {
        ArgumentNullException.ThrowIfNull(reply);
        return SerialFrom(target, source, f => reply[f] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null);
    }

    /// <summary>
    /// An HTTP channel's failures of the connection itself (the miner unreachable or slow, HttpClient's own timeout),
    /// not the caller's cancellation.
    /// </summary>
    protected static bool HttpTransport(Exception e, CancellationToken cancellationToken) =>
        e is HttpRequestException or IOException or TimeoutException || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested);

    /// <summary>An HTTP reply's body as a JSON object; null when it is empty, not JSON, or JSON of another kind.</summary>
    protected static async Task<JsonObject?> ReadObjectAsync(HttpResponseMessage response, CancellationToken ct) => await ReadNodeAsync(response, ct) as JsonObject;

    /// <summary>An HTTP reply's body as JSON; null when it is empty or not JSON.</summary>
    protected static async Task<JsonNode?> ReadNodeAsync(HttpResponseMessage response, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(response);
        string text = await response.Content.ReadAsStringAsync(ct);
        if (text.Length == 0)
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Operations this channel can carry out at all; the profile compiler refuses routes to others.</summary>
    public static IReadOnlySet<MinerOperation> Implemented(WriteChannelKind kind) => kind switch
    {
        WriteChannelKind.CgminerRpc => new HashSet<MinerOperation> { MinerOperation.SetPools, MinerOperation.RestartMining, MinerOperation.Reboot, MinerOperation.Pause, MinerOperation.Resume, MinerOperation.SetPowerTarget, MinerOperation.LocateOn, MinerOperation.LocateOff },
        WriteChannelKind.BitmainWeb => new HashSet<MinerOperation> { MinerOperation.SetPools, MinerOperation.RestartMining, MinerOperation.Reboot, MinerOperation.Pause, MinerOperation.Resume, MinerOperation.LocateOn, MinerOperation.LocateOff },
        WriteChannelKind.VnishRest or WriteChannelKind.CgminerSession => new HashSet<MinerOperation>(Enum.GetValues<MinerOperation>()),
        WriteChannelKind.WhatsminerV2 or WriteChannelKind.WhatsminerV3 => new HashSet<MinerOperation>(Enum.GetValues<MinerOperation>()),
        WriteChannelKind.BraiinsGrpc => new HashSet<MinerOperation>(Enum.GetValues<MinerOperation>()),
        _ => new HashSet<MinerOperation>(),
    };
}
