using CloudMining.Farm.Shared.Firmware.Channels;

namespace CloudMining.Farm.Shared.Firmware;

/// <summary>A loaded, validated firmware profile: how to recognise the firmware, what to read, how to map it, and how to change its pools.</summary>
public sealed class FirmwareProfile
{
    internal FirmwareProfile(string name, string description, string sourceFile)
    {
        Name = name;
        Description = description;
        SourceFile = sourceFile;
    }

    public string Name { get; }

    public string Description { get; }

    /// <summary>The YAML file the profile came from.</summary>
    public string SourceFile { get; }

    /// <summary>Higher wins when several profiles match the same miner.</summary>
    public int DetectPriority { get; internal init; }

    /// <summary>The profile matches a miner when any rule matches; no rules: only chosen by name or as the fallback.</summary>
    public IReadOnlyList<DetectionRule> DetectionRules { get; internal init; } = [];

    /// <summary>Commands to read on every poll, in order.</summary>
    public IReadOnlyList<string> ReadCommands { get; internal init; } = [];

    /// <summary>Commands whose failure fails the whole read (others become warnings).</summary>
    public IReadOnlyList<string> RequiredCommands { get; internal init; } = [];

    /// <summary>True when the firmware answers "a+b+c" in one conversation.</summary>
    public bool MultiCommand { get; internal init; }

    /// <summary>The read commands joined for one multi-command request.</summary>
    public string MultiCommandRequest => string.Join('+', ReadCommands);

    public IReadOnlyDictionary<ProfileAction, IReadOnlyList<ActionStep>> Actions { get; internal init; } = new Dictionary<ProfileAction, IReadOnlyList<ActionStep>>();

    public SessionStep? Session { get; internal init; }

    /// <summary>
    /// Whether the cgminer RPC action can be used: it is listed, and for pool actions the profile routes setPools to
    /// cgminer RPC (a firmware whose pools go through another channel keeps its actions for the forks that obey them,
    /// but the agent does not plan pool commands for it).
    /// </summary>
    public bool Supports(ProfileAction action) => Actions.ContainsKey(action) &&
        (action == ProfileAction.Restart || Route(MinerOperation.SetPools)?.Channel == WriteChannelKind.CgminerRpc);

    /// <summary>Which channel carries out each operation; an operation not listed cannot be done on this firmware.</summary>
    public IReadOnlyDictionary<MinerOperation, OperationRoute> Routes { get; internal init; } = new Dictionary<MinerOperation, OperationRoute>();

    /// <summary>The miner's web interface as the profile describes it (port, login user, vendor default password, pools its form holds).</summary>
    public WebChannelSettings Web { get; internal init; } = WebChannelSettings.Default;

    /// <summary>
    /// Where the agent reads the unit's serial when the cgminer API gives none (<c>identity.serialSource</c>): rarely,
    /// through the channel named there; null when the profile names none.
    /// </summary>
    public SerialSource? SerialSource { get; internal init; }

    public OperationRoute? Route(MinerOperation operation) => Routes.GetValueOrDefault(operation);

    /// <summary>The TCP port a channel uses on this firmware when it is not the API port (profile key <c>ports:</c>, e.g. whatsminer-v3: 4433).</summary>
    public IReadOnlyDictionary<WriteChannelKind, int> ChannelPorts { get; internal init; } = new Dictionary<WriteChannelKind, int>();

    /// <summary>The profile's port for <paramref name="channel"/>, or null to use the channel's own default.</summary>
    public int? ChannelPort(WriteChannelKind channel) => ChannelPorts.TryGetValue(channel, out int port) ? port : null;

    /// <summary>Whether the agent can change a miner's pools at all through some channel.</summary>
    public bool CanSetPools => Route(MinerOperation.SetPools) is { } r && (r.Channel != WriteChannelKind.CgminerRpc || Actions.ContainsKey(ProfileAction.AddPool));

    /// <summary>Whether pool quotas can be set through the channel that changes pools (cgminer RPC with a setQuota action, LuxOS pool groups: cgminer-session with a group quota command, Braiins OS+ pool groups).</summary>
    public bool CanSetQuota => Route(MinerOperation.SetPools) switch
    {
        { Channel: WriteChannelKind.CgminerRpc } => Actions.ContainsKey(ProfileAction.SetQuota),
        { Channel: WriteChannelKind.CgminerSession, Command: { Length: > 0 } } => true,
        { Channel: WriteChannelKind.BraiinsGrpc } => true,
        _ => false,
    };

    /// <summary>Every command a mapping reads from; field sources refer to replies by their index here.</summary>
    internal string[] Commands { get; init; } = [];

    internal FieldSource[] Model { get; init; } = [];

    internal FieldSource[] Firmware { get; init; } = [];

    internal FieldSource[] FirmwareVersion { get; init; } = [];

    internal FieldSource[] Serial { get; init; } = [];

    internal FieldSource[] Mac { get; init; } = [];

    internal FieldSource[] Hashrate5s { get; init; } = [];

    internal FieldSource[] HashrateAverage { get; init; } = [];

    internal FieldSource[] HashrateNominal { get; init; } = [];

    internal FieldSource[] Power { get; init; } = [];

    internal FieldSource[] Uptime { get; init; } = [];

    internal FieldSource[] HardwareErrors { get; init; } = [];

    internal BoardPlan Boards { get; init; } = new();

    internal FanPlan Fans { get; init; } = new();

    internal PoolPlan? Pools { get; init; }

    public override string ToString() => Name;
}
