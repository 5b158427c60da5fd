namespace CloudMining.Farm.Shared.Firmware;

/// <summary>The YAML shape of a firmware profile file, as written by people; <see cref="ProfileCompiler"/> validates it and compiles it into a <see cref="FirmwareProfile"/>.</summary>
internal sealed class ProfileDocument
{
    public string? Name { get; set; }

    public string? Description { get; set; }

    public DetectDoc? Detect { get; set; }

    public ReadDoc? Read { get; set; }

    public IdentityDoc? Identity { get; set; }

    public TotalsDoc? Totals { get; set; }

    public BoardsDoc? Boards { get; set; }

    public FansDoc? Fans { get; set; }

    public PoolsDoc? Pools { get; set; }

    public ActionsDoc? Actions { get; set; }

    /// <summary>Per operation (setPools, reboot, pause…), the write channel and its command/field/value.</summary>
    public Dictionary<string, OperationDoc>? Operations { get; set; }

    /// <summary>The miner's web interface (bitmain-web channel).</summary>
    public WebDoc? Web { get; set; }

    /// <summary>Per write channel ("whatsminer-v3"), the TCP port it uses when not the API port.</summary>
    public Dictionary<string, int>? Ports { get; set; }

    /// <summary>One operation's route.</summary>
    internal sealed class OperationDoc
    {
        public string? Channel { get; set; }

        public string? Command { get; set; }

        public string? Field { get; set; }

        public string? Value { get; set; }
    }

    /// <summary>Web interface defaults.</summary>
    internal sealed class WebDoc
    {
        public int Port { get; set; } = 80;

        public string? User { get; set; }

        public string? VendorDefaultPassword { get; set; }

        public int MaxPools { get; set; } = 3;
    }

    /// <summary>How the profile recognises its firmware.</summary>
    internal sealed class DetectDoc
    {
        public int Priority { get; set; }

        public List<RuleDoc>? Any { get; set; }
    }

    /// <summary>One detection test on one reply.</summary>
    internal sealed class RuleDoc
    {
        public string? Command { get; set; }

        public string? Section { get; set; }

        public string? Key { get; set; }

        public string? KeyStartsWith { get; set; }

        public string? Contains { get; set; }

        public string? StartsWith { get; set; }

        public string? EqualsValue { get; set; }

        /// <summary>The first 8-digit run of the value, read as a date yyyymmdd, is at least this (firmware versions such as "20241105.16.Rel").</summary>
        public int? DateAtLeast { get; set; }
    }

    /// <summary>Which commands to read.</summary>
    internal sealed class ReadDoc
    {
        public List<string>? Commands { get; set; }

        public List<string>? Required { get; set; }

        public bool MultiCommand { get; set; }
    }

    /// <summary>Where the miner says what it is.</summary>
    internal sealed class IdentityDoc
    {
        public List<FieldDoc>? Model { get; set; }

        public List<FieldDoc>? Firmware { get; set; }

        public List<FieldDoc>? FirmwareVersion { get; set; }

        public List<FieldDoc>? Serial { get; set; }

        /// <summary>Where the serial is read when the cgminer API gives none: a channel, its request and the reply's fields.</summary>
        public SerialSourceDoc? SerialSource { get; set; }

        public List<FieldDoc>? Mac { get; set; }
    }

    /// <summary>identity.serialSource: { channel: bitmain-web, command: get_system_info, fields: [serinum, serial_no] }.</summary>
    internal sealed class SerialSourceDoc
    {
        public string? Channel { get; set; }

        public string? Command { get; set; }

        public List<string>? Fields { get; set; }
    }

    /// <summary>Whole-miner figures; each a list of alternatives, the first present wins.</summary>
    internal sealed class TotalsDoc
    {
        public List<FieldDoc>? Hashrate5s { get; set; }

        public List<FieldDoc>? HashrateAverage { get; set; }

        public List<FieldDoc>? HashrateNominal { get; set; }

        public List<FieldDoc>? Power { get; set; }

        public List<FieldDoc>? Uptime { get; set; }

        public List<FieldDoc>? HardwareErrors { get; set; }
    }

    /// <summary>Hashboards: indexed keys in one object, one row per board, or Avalon module strings.</summary>
    internal sealed class BoardsDoc
    {
        public string? Style { get; set; }

        public string? At { get; set; }

        public int First { get; set; } = 1;

        public int Last { get; set; } = 4;

        public List<string>? Present { get; set; }

        public List<string>? Index { get; set; }

        public string? KeyPrefix { get; set; }

        public List<FieldDoc>? Hashrate { get; set; }

        public List<FieldDoc>? ChipTemperature { get; set; }

        public List<FieldDoc>? BoardTemperature { get; set; }

        public List<FieldDoc>? Chips { get; set; }

        public List<FieldDoc>? HardwareErrors { get; set; }

        public List<FieldDoc>? Status { get; set; }
    }

    /// <summary>Fans: indexed keys, rows, named keys, or Avalon module strings.</summary>
    internal sealed class FansDoc
    {
        public string? Style { get; set; }

        public string? At { get; set; }

        public int First { get; set; } = 1;

        public int Last { get; set; } = 8;

        public List<string>? Rpm { get; set; }

        public string? Duty { get; set; }

        public List<string>? Index { get; set; }

        public string? KeyPrefix { get; set; }

        public bool SkipZero { get; set; }
    }

    /// <summary>Pools: the section and, where a firmware renames them, the cgminer field names.</summary>
    internal sealed class PoolsDoc
    {
        public string? At { get; set; }

        public Dictionary<string, string>? Fields { get; set; }
    }

    /// <summary>Command sequences for pool changes and restart.</summary>
    internal sealed class ActionsDoc
    {
        public SessionDoc? Session { get; set; }

        public List<StepDoc>? AddPool { get; set; }

        public List<StepDoc>? RemovePool { get; set; }

        public List<StepDoc>? SwitchPool { get; set; }

        public List<StepDoc>? EnablePool { get; set; }

        public List<StepDoc>? DisablePool { get; set; }

        public List<StepDoc>? SetPriority { get; set; }

        public List<StepDoc>? SetQuota { get; set; }

        public List<StepDoc>? Restart { get; set; }
    }

    /// <summary>A login command whose reply gives a session id for privileged commands (LuxOS).</summary>
    internal sealed class SessionDoc
    {
        public string? Command { get; set; }

        public string? Parameter { get; set; }

        public string? Field { get; set; }
    }

    /// <summary>One API command of an action.</summary>
    internal sealed class StepDoc
    {
        public string? Command { get; set; }

        public string? Parameter { get; set; }
    }

    /// <summary>One place a value may be found: a path or key, its unit, and how to read it.</summary>
    internal sealed class FieldDoc
    {
        /// <summary>Totals/identity: "command:SECTION.Key". Boards: the key (with {i}) inside the board's object.</summary>
        public string? At { get; set; }

        /// <summary>Set when the YAML gave a bare string instead of a mapping; its meaning depends on where it stands.</summary>
        [YamlDotNet.Serialization.YamlIgnore]
        public string? Text { get; set; }

        public string? Key { get; set; }

        public string? Unit { get; set; }

        /// <summary>Boards: another section to read this field from ("temps:TEMPS"), joined on <see cref="On"/>.</summary>
        public string? From { get; set; }

        public string? On { get; set; }

        /// <summary>Modules: the value holds one number per board ("MGHS[a b c]").</summary>
        public bool PerBoard { get; set; }

        /// <summary>Totals from modules: sum, max or first over every module string.</summary>
        public string? Aggregate { get; set; }

        /// <summary>Modules: the Avalon key inside the module string.</summary>
        public string? Kv { get; set; }

        /// <summary>Dash-separated chip readings ("7-4-25-27"): take the largest.</summary>
        public bool MaxOfDashes { get; set; }
    }
}
